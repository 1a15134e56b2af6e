"""Benchmark of helpdesk_mgmt_mailgate against helpdesk_mgmt alone.

Creates two fresh databases without demo data, one with ``helpdesk_mgmt`` only
and one with ``helpdesk_mgmt_mailgate``, gives both the same set-up and pushes
the same generated mails through Odoo's real mail gateway, the two databases
alternately (``bench.measure``); adds the pure adversarial timings
(``bench/adversarial.py``) and the fetchmail backlog (``bench/backlog.py``)
when they are there; prints a Markdown report and writes it to
``bench/RESULTS.md``. See ``bench/README.md``.

Usage (from the repository root, after ``make setup db``)::

    .venv/bin/python -m bench [--mails N] [--rounds N] [--keep]

The same entry point is also the worker that runs inside each database
(``--worker bench|memory``), always in a fresh Python process.
"""

import argparse
import datetime
import importlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from . import databases, measure, report
from .measure import MIB, say

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / MIB:.1f} GiB"
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": ram,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def git_state():
    """The checkout's commit, and whether it has local changes (read-only)."""

    def git(*cmd):
        done = subprocess.run(
            ["git", "-C", str(REPO), *cmd], capture_output=True, text=True, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "models", "tools", "data", "security")
    return commit + (" (with uncommitted changes to the addon)" if dirty else "")


# ----------------------------------------------------------------------------
# The other benchmarks: pure adversarial inputs, the fetchmail backlog
# ----------------------------------------------------------------------------


def optional_module(name):
    """``bench.<name>`` when its file is in the checkout, else None."""
    if not (BENCH / f"{name}.py").is_file():
        return None
    return importlib.import_module(f"bench.{name}")


def run_adversarial(args):
    """bench/adversarial.py: every tools/ function on 1 MB adversarial inputs.

    Its ``run(size)`` returns ``(seconds, function, input)`` triples, slowest
    first; each call must stay under its ``DEFAULT_LIMIT`` (1 s). Pure: it
    runs here, in the orchestrator, which never loads Odoo.
    """
    module = optional_module("adversarial")
    if module is None:
        return None
    size = getattr(module, "MEGABYTE", 1_000_000)
    limit = getattr(module, "DEFAULT_LIMIT", 1.0)
    say(f"adversarial inputs of {size:,} characters (bench/adversarial.py)")
    rows = sorted(module.run(size), reverse=True)
    misses = [row for row in rows if row[0] >= limit]
    lines = [
        f"{len(rows)} calls (every tools/ function on every input of "
        f"{size:,} characters), {sum(row[0] for row in rows):.1f} s in all; "
        f"{len(misses)} at or over {limit:g} s. The slowest:",
        "",
        "| seconds | function | input | result |",
        "|---:|---|---|---|",
    ]
    for seconds, function, hostile in rows[: max(10, len(misses))]:
        lines.append(
            f"| {seconds:.3f} | {function} | {hostile} | "
            f"{report.word(seconds < limit)} |"
        )
    slowest = (
        f"slowest {rows[0][1]} on {rows[0][2]}: {rows[0][0]:.3f} s" if rows else ""
    )
    verdict = report.Verdict(
        "tools/ functions on 1 MB adversarial inputs",
        f"< {limit:g} s each",
        f"{len(rows)} calls, {len(misses)} too slow; {slowest}",
        bool(rows) and not misses,
    )
    return {"lines": lines, "verdicts": [verdict]}


def run_backlog(args):
    """bench/backlog.py: a backlog of mails in a real Dovecot, worked off by
    the real fetchmail cron, in a database of its own.

    It loads Odoo, so it runs in a process of its own (its command line,
    ``python -m bench.backlog --json FILE``); its ``run_backlog()`` numbers
    are judged here: every mail must become one ticket, none left unseen.
    """
    if not args.backlog or not (BENCH / "backlog.py").is_file():
        return None
    say(f"backlog: {args.backlog} mails through Dovecot and fetchmail (backlog.py)")
    out = REPO / ".run" / "bench-backlog.json"
    out.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "bench.backlog",
        "--mails",
        str(args.backlog),
        "--odoo-conf",
        str(args.config),
        "--json",
        str(out),
    ]
    try:
        subprocess.run(command, cwd=REPO, check=False, timeout=args.backlog_timeout)
        got = json.loads(out.read_text()) if out.is_file() else None
    except subprocess.TimeoutExpired:
        got = None
    target = "fetchmail backlog through Dovecot: every mail one ticket"
    if not got:
        return {
            "lines": ["bench/backlog.py gave no figures: see its output above."],
            "verdicts": [report.Verdict(target, "none lost", "no figures", False)],
        }
    lost = got["mails"] - got["tickets"]
    lines = [
        "| mails | seconds | mails/s | cron runs | longest run | RSS growth "
        "(first → last run) | peak RSS | tickets | left unseen |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {got['mails']} | {got['seconds']:.0f} | {got['mails_per_second']:.1f} | "
        f"{got['cron_runs']} | {got['longest_run_s']:.1f} s | "
        f"{got['rss_growth_mb']:+.0f} MB ({got['rss_first_run_mb']:.0f} → "
        f"{got['rss_last_run_mb']:.0f}) | {got['peak_rss_mb']:.0f} MB | "
        f"{got['tickets']} | {got['unseen_left']} |",
    ]
    verdict = report.Verdict(
        target,
        "none lost; mails/s and memory reported",
        f"{got['mails_per_second']:.1f} mails/s, peak {got['peak_rss_mb']:.0f} MB, "
        f"{got['tickets']} tickets of {got['mails']}, {got['unseen_left']} unseen",
        lost == 0 and not got["unseen_left"],
    )
    return {"lines": lines, "verdicts": [verdict]}


# ----------------------------------------------------------------------------
# Orchestration
# ----------------------------------------------------------------------------


def orchestrate(args):
    started = time.perf_counter()
    if not Path(args.config).is_file():
        sys.exit(f"bench: no Odoo config {args.config}: run `make db` first.")
    names = {key: f"bench_{key}_{os.getpid()}" for key in databases.MODULES}
    durations = {}
    results = {
        "machine": machine(),
        "git": git_state(),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench", *sys.argv[1:]]),
        "memory": {},
        "extra": {},
    }

    def timed(step, function, *function_args):
        t0 = time.perf_counter()
        try:
            return function(*function_args)
        finally:
            durations[step] = durations.get(step, 0.0) + time.perf_counter() - t0

    try:
        for key, database in names.items():
            say(f"creating {database} with {databases.MODULES[key]} (no demo data)")
            timed(
                "databases",
                databases.create_database,
                args.config,
                database,
                databases.MODULES[key],
            )
        results.update(timed("scenarios", measure.run_alternately, args, names))
        for kind in args.memory:
            results["memory"][kind] = {}
            for key, database in names.items():
                say(f"{database}: one {args.memory_mb} MiB mail ({kind})")
                results["memory"][kind][key] = timed(
                    "memory", measure.run_memory, args, database, kind
                )
        if args.adversarial:
            adversarial = timed("adversarial", run_adversarial, args)
            if adversarial:
                results["extra"]["Adversarial inputs (bench/adversarial.py)"] = (
                    adversarial
                )
        backlog = timed("backlog", run_backlog, args)
        if backlog:
            results["extra"]["Fetchmail backlog (bench/backlog.py)"] = backlog
    finally:
        if args.keep:
            say(f"kept the databases {', '.join(names.values())}")
        else:
            for database in names.values():
                databases.drop_database(args.config, database)
    durations["total"] = time.perf_counter() - started
    # The raw figures first: a report that cannot be rendered loses nothing.
    raw = REPO / ".run" / "bench-raw.json"
    raw.write_text(
        json.dumps({"results": results, "durations": durations}, default=vars)
    )
    say(f"raw figures in {raw}")
    text = report.render(results, args, durations)
    print(text)
    Path(args.output).write_text(text)
    say(f"written to {args.output}")


def parser():
    p = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.splitlines()[0]
    )
    p.add_argument("-c", "--config", default=str(REPO / ".run" / "odoo.conf"))
    p.add_argument(
        "--mails", type=int, default=1000, help="timed mails per scenario (1000)"
    )
    p.add_argument(
        "--warmup", type=int, default=10, help="untimed mails before each scenario (10)"
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="rounds per scenario, the databases' order swapped each round (4)",
    )
    p.add_argument("--keep", action="store_true", help="keep the two databases")
    p.add_argument(
        "--memory",
        nargs="*",
        default=["attachment", "text"],
        choices=["attachment", "text"],
        help="big-mail kinds (both); none to skip",
    )
    p.add_argument("--memory-mb", type=int, default=20)
    p.add_argument(
        "--memory-timeout",
        type=int,
        default=900,
        help="seconds allowed per big mail (900)",
    )
    p.add_argument(
        "--no-adversarial",
        dest="adversarial",
        action="store_false",
        help="skip bench/adversarial.py",
    )
    p.add_argument(
        "--backlog",
        type=int,
        default=5000,
        help="mails of the fetchmail backlog of bench/backlog.py (5000); 0 to skip",
    )
    p.add_argument(
        "--backlog-timeout",
        type=int,
        default=3600,
        help="seconds allowed for the backlog (3600)",
    )
    p.add_argument(
        "--profile",
        metavar="DIR",
        help="also write cProfile stats of the timed mails to "
        "DIR/<database>-<scenario>.prof (times are then inflated)",
    )
    p.add_argument("--output", default=str(BENCH / "RESULTS.md"))
    # worker mode (internal)
    p.add_argument("--worker", choices=["bench", "memory"], help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--kind", help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    return p


def main(argv=None):
    p = parser()
    args = p.parse_args(argv)
    if args.mails < 1 or args.rounds < 1:
        p.error("--mails and --rounds must be at least 1")
    if args.worker == "bench":
        measure.worker_bench(args)
    elif args.worker == "memory":
        measure.worker_memory(args)
    else:
        orchestrate(args)
