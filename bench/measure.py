"""Measuring: mail through the gateway, timed and counted, in worker processes.

Each database has its own worker process (one registry, one cursor), driven by
the orchestrator over stdin/stdout, one JSON object a line, so that the two
databases can be run alternately: a round runs the same slice of a scenario's
mails in one database, then in the other, and the next round swaps the order.
The big-mail memory measurement runs in a fresh process of its own.
"""

import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import databases, scenarios

MIB = 1024 * 1024
REPO = databases.REPO


def say(text):
    print(f"==> {text}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------
# Worker side: inside Odoo, one database
# ----------------------------------------------------------------------------


def process_mails(registry, mails, model="helpdesk.ticket", profiler=None):
    """Push ``mails`` through ``mail.thread.message_process``, one commit
    each (as fetchmail does).

    :return: per mail, the wall time (processing + commit), the SQL queries
        (``odoo.sql_db.sql_counter`` delta) and the thread id that
        ``message_process`` returned (None when it raised).
    """
    from odoo import sql_db

    times, queries, results = [], [], []
    with registry.cursor() as cr:
        thread = databases.gateway_env(cr)["mail.thread"]
        for raw in mails:
            if profiler:
                profiler.enable()
            q0 = sql_db.sql_counter
            t0 = time.perf_counter()
            try:
                thread_id = thread.message_process(model, raw)
                cr.commit()
            except Exception:  # noqa: BLE001 - counted as failed, the next goes on
                cr.rollback()
                traceback.print_exc()
                thread_id = None
            t1 = time.perf_counter()
            q1 = sql_db.sql_counter
            if profiler:
                profiler.disable()
            times.append(t1 - t0)
            queries.append(q1 - q0)
            results.append(thread_id)
    return times, queries, results


class BenchWorker:
    """One database: its mails, the tickets they made, slices on demand."""

    def __init__(self, args):
        self.args = args
        self.registry = databases.odoo_registry(args.config, args.db)
        with self.registry.cursor() as cr:
            databases.set_up(databases.gateway_env(cr))
        total = args.warmup + args.mails
        self.tickets = {
            name: scenarios.ticket_set(name, total) for name in ("known", "blocks")
        }
        # ticket set name -> the ticket ids its new-ticket mails made
        self.ticket_ids = {"known": [None] * total, "blocks": [None] * total}
        self.made_by = {"new_known": "known", scenarios.PREPARE.key: "blocks"}
        self.mails = {}
        self.profilers = {}

    def scenario(self, key):
        return scenarios.BY_KEY.get(key) or scenarios.PREPARE

    def slice(self, key, start, stop):
        """Process mails ``start:stop`` of scenario ``key``."""
        scenario = self.scenario(key)
        if key not in self.mails:
            count = self.args.warmup + self.args.mails
            self.mails[key] = scenarios.scenario_mails(scenario, count, self.tickets)
        profiler = None
        if self.args.profile and start >= self.args.warmup and key in scenarios.BY_KEY:
            import cProfile

            profiler = self.profilers.setdefault(key, cProfile.Profile())
        times, queries, results = process_mails(
            self.registry, self.mails[key][start:stop], scenario.model, profiler
        )
        if key in self.made_by:
            self.ticket_ids[self.made_by[key]][start:stop] = results
        if scenario.kind == "followup":
            expected = self.ticket_ids[scenario.tickets][start:stop]
            misrouted = sum(
                1 for got, want in zip(results, expected, strict=True) if got != want
            )
        else:
            misrouted = sum(1 for result in results if not result)
        return {
            "times": times,
            "queries": queries,
            "failures": sum(1 for result in results if result is None),
            "misrouted": misrouted,
        }

    def finish(self):
        """Write the profiles; return the sanity checks and the versions."""
        if self.args.profile:
            folder = Path(self.args.profile)
            folder.mkdir(parents=True, exist_ok=True)
            for key, profiler in self.profilers.items():
                profiler.dump_stats(folder / f"{self.args.db}-{key}.prof")
        with self.registry.cursor() as cr:
            env = databases.gateway_env(cr)
            return {"checks": databases.checks(env), **databases.versions(env)}


def worker_bench(args):
    """The worker loop: answer the orchestrator's commands, one a line."""
    # Answers go to the original stdout; anything else printed goes to stderr.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    worker = BenchWorker(args)

    def answer(data):
        answers.write(json.dumps(data) + "\n")
        answers.flush()

    answer({"ready": True})
    for line in sys.stdin:
        command = json.loads(line)
        if command["op"] == "slice":
            answer(worker.slice(command["scenario"], command["start"], command["stop"]))
        elif command["op"] == "finish":
            answer(worker.finish())
        else:
            break


def rss_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak_rss():
    """Reset the kernel's peak RSS (VmHWM) of this process to its current RSS
    (Linux 4.0+). Returns whether it worked."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def worker_memory(args):
    """Peak memory above the baseline for one big mail, in a fresh process."""
    registry = databases.odoo_registry(args.config, args.db)
    # Warm-up: load the code paths (imports, registry caches) with small mails.
    warm = [scenarios.new_ticket_mail(i, f"memwarm-{args.kind}").raw for i in range(3)]
    process_mails(registry, warm)
    raw = scenarios.big_mail(args.kind, args.size, scenarios.queue_of(0))
    gc.collect()
    baseline_kib = rss_kib("VmRSS")
    method = "VmHWM after clear_refs" if reset_peak_rss() else "ru_maxrss"
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times, queries, results = process_mails(registry, [raw])
    maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if method == "ru_maxrss":
        extra_kib = maxrss_after - max(maxrss_before, baseline_kib)
    else:
        extra_kib = rss_kib("VmHWM") - baseline_kib
    out = {
        "kind": args.kind,
        "size": len(raw),
        "baseline_mib": baseline_kib / 1024,
        "extra_mib": max(extra_kib, 0) / 1024,
        "method": method,
        "seconds": times[0],
        "queries": queries[0],
        "failures": int(results[0] is None),
    }
    Path(args.out).write_text(json.dumps(out, indent=2))


# ----------------------------------------------------------------------------
# Orchestrator side: no Odoo
# ----------------------------------------------------------------------------


def worker_command(args, *worker_args):
    """The command line of a worker process (``python -m bench --worker ...``)."""
    return [
        sys.executable,
        "-m",
        "bench",
        "-c",
        str(args.config),
        *map(str, worker_args),
    ]


class Worker:
    """A bench worker process for one database, driven line by line."""

    def __init__(self, args, database):
        self.database = database
        command = worker_command(
            args,
            "--worker",
            "bench",
            "--db",
            database,
            "--mails",
            args.mails,
            "--warmup",
            args.warmup,
            *(["--profile", args.profile] if args.profile else []),
        )
        self.process = subprocess.Popen(
            command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.read()

    def read(self):
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            sys.exit(
                f"bench: the worker of {self.database} stopped "
                f"(exit code {self.process.returncode}): see above."
            )
        return json.loads(line)

    def ask(self, **command):
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self.read()

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.write(json.dumps({"op": "quit"}) + "\n")
            self.process.stdin.close()
            self.process.wait(timeout=60)


def round_bounds(warmup, mails, rounds):
    """The ``(start, stop)`` slices of the timed mails, one per round."""
    rounds = max(1, min(rounds, mails))
    edges = [warmup + mails * r // rounds for r in range(rounds + 1)]
    return list(zip(edges, edges[1:], strict=False))


def run_alternately(args, database_names):
    """Every scenario in both databases, alternately.

    Per scenario: the warm-up mails in each database (untimed), then
    ``args.rounds`` rounds; a round runs the same slice of mails in one
    database then the other, and the order is swapped each round. Before the
    follow-ups with blocks, their tickets are made the same way, untimed.

    :return: ``{"rounds": {scenario: {db key: [round stats]}}, "finish":
        {db key: checks and versions}}``.
    """
    keys = list(database_names)
    workers = {}
    try:
        for key in keys:
            workers[key] = Worker(args, database_names[key])
        bounds = round_bounds(args.warmup, args.mails, args.rounds)
        order = [s.key for s in scenarios.SCENARIOS]
        # The blocks' tickets are made right before the blocks are timed.
        order.insert(order.index("blocks"), scenarios.PREPARE.key)
        results = {}
        for name in order:
            timed = name in scenarios.BY_KEY
            say(
                f"{name}: {args.warmup} warm-up + {args.mails} mails in "
                f"{len(bounds)} rounds" + ("" if timed else " (untimed)")
            )
            for worker in workers.values():
                worker.ask(op="slice", scenario=name, start=0, stop=args.warmup)
            per_db = {key: [] for key in keys}
            for number, (start, stop) in enumerate(bounds):
                for key in keys if number % 2 == 0 else keys[::-1]:
                    per_db[key].append(
                        workers[key].ask(
                            op="slice", scenario=name, start=start, stop=stop
                        )
                    )
            if timed:
                results[name] = per_db
        finish = {key: worker.ask(op="finish") for key, worker in workers.items()}
        return {"rounds": results, "finish": finish}
    finally:
        for worker in workers.values():
            worker.close()


def run_memory(args, database, kind):
    """The big-mail measurement of ``kind`` in a fresh worker process."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = Path(tmp.name)
    command = worker_command(
        args,
        "--out",
        out,
        "--worker",
        "memory",
        "--db",
        database,
        "--kind",
        kind,
        "--size",
        args.memory_mb * MIB,
    )
    try:
        done = subprocess.run(
            command, cwd=REPO, check=False, timeout=args.memory_timeout
        )
        if done.returncode or not out.stat().st_size:
            return {"error": f"worker exited with {done.returncode}"}
        return json.loads(out.read_text())
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.memory_timeout} s"}
    finally:
        out.unlink(missing_ok=True)


def summarize(rounds):
    """One database's rounds of one scenario, as one line of figures."""
    times = [t for r in rounds for t in r["times"]]
    queries = [q for r in rounds for q in r["queries"]]
    return {
        "mails": len(times),
        "mails_per_s": len(times) / sum(times),
        "mean_ms": 1000 * statistics.fmean(times),
        "median_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * sorted(times)[int(0.95 * (len(times) - 1))],
        "queries_mean": statistics.fmean(queries),
        "queries_min": min(queries),
        "queries_max": max(queries),
        "failures": sum(r["failures"] for r in rounds),
        "misrouted": sum(r["misrouted"] for r in rounds),
    }


def round_ratios(numerator, denominator):
    """Per round, the mean time per mail of ``numerator`` over that of
    ``denominator`` (lists of rounds of the same length)."""
    return [
        statistics.fmean(a["times"]) / statistics.fmean(b["times"])
        for a, b in zip(numerator, denominator, strict=True)
    ]
