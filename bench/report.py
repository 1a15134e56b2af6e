"""Reporting: the performance targets (bench/README.md), judged honestly, as Markdown.

Pure Python: takes the figures the orchestrator gathered and returns the
text of ``bench/RESULTS.md``. Time ratios are the median over rounds of the
per-round ratio (mean time per mail with the addon over without); query
counts are means per mail, which do not vary between rounds.
"""

import statistics
from dataclasses import dataclass

from .measure import MIB, round_ratios, summarize
from .scenarios import BY_KEY, SCENARIOS


@dataclass(frozen=True)
class Verdict:
    """One target: what it asks, what was measured, whether it holds.
    ``ok`` is None for figures that are reported, not judged."""

    target: str
    asked: str
    measured: str
    ok: bool | None


def word(ok):
    return {True: "pass", False: "**FAIL**", None: "reported"}[ok]


def median_ratio(numerator, denominator):
    ratios = round_ratios(numerator, denominator)
    return statistics.median(ratios), ratios


def fmt_ratios(ratios):
    return ", ".join(f"{r:.2f}" for r in ratios)


def astray(rounds):
    """Mails of a scenario that failed or landed elsewhere, both databases."""
    return sum(
        summarize(rounds[key])["failures"] + summarize(rounds[key])["misrouted"]
        for key in ("alone", "addon")
    )


def time_and_queries(rounds, key, max_ratio, max_queries, target):
    """The time (and queries) verdicts of scenario ``key``; a scenario where
    any mail failed or went astray fails, whatever its figures."""
    alone, addon = rounds[key]["alone"], rounds[key]["addon"]
    ratio, ratios = median_ratio(addon, alone)
    extra = summarize(addon)["queries_mean"] - summarize(alone)["queries_mean"]
    lost = astray(rounds[key])
    note = f"; {lost} mails failed or misrouted" if lost else ""
    verdicts = [
        Verdict(
            f"{target}: time",
            f"≤ {max_ratio}×",
            f"{ratio:.2f}× (rounds {fmt_ratios(ratios)}){note}",
            ratio <= max_ratio and not lost,
        )
    ]
    if max_queries is not None:
        verdicts.append(
            Verdict(
                f"{target}: SQL queries",
                f"≤ +{max_queries}",
                f"{extra:+.1f} ({summarize(alone)['queries_mean']:.1f} → "
                f"{summarize(addon)['queries_mean']:.1f})",
                extra <= max_queries,
            )
        )
    return verdicts


def verdicts(results, args):
    """Every performance target of bench/README.md, with its verdict."""
    rounds = results["rounds"]
    out = []
    out += time_and_queries(rounds, "new_known", 1.15, 8, "new ticket, known contact")
    out += time_and_queries(
        rounds, "new_unknown", 1.25, 12, "new ticket, unknown sender"
    )
    out += time_and_queries(
        rounds, "blocks", 1.3, None, "follow-up with both blocks ÷ the same mail alone"
    )
    for base, under in (("alone", "helpdesk_mgmt alone"), ("addon", "the addon")):
        ratio, ratios = median_ratio(rounds["blocks"]["addon"], rounds["plain"][base])
        out.append(
            Verdict(
                "follow-up with both blocks (addon) ÷ a plain follow-up "
                f"(same ticket state) under {under}",
                "—",
                f"{ratio:.2f}× (rounds {fmt_ratios(ratios)})",
                None,
            )
        )
    alone = summarize(rounds["other_alias"]["alone"])["queries_mean"]
    addon = summarize(rounds["other_alias"]["addon"])["queries_mean"]
    out.append(
        Verdict(
            "mail to another app's alias: SQL queries",
            "≤ +1",
            f"{addon - alone:+.1f} ({alone:.1f} → {addon:.1f})"
            + (
                f"; {astray(rounds['other_alias'])} mails failed or misrouted"
                if astray(rounds["other_alias"])
                else ""
            ),
            addon - alone <= 1 and not astray(rounds["other_alias"]),
        )
    )
    for kind, data in results.get("memory", {}).items():
        ma, mm = data["alone"], data["addon"]
        label = (
            f"{args.memory_mb} MB mail ({kind}): "
            "extra peak memory above helpdesk_mgmt alone"
        )
        if "error" in ma or "error" in mm:
            error = mm.get("error") or ma.get("error")
            out.append(Verdict(label, "≤ 3× its size", error, False))
            continue
        size = mm["size"] / MIB
        above = mm["extra_mib"] - ma["extra_mib"]
        out.append(
            Verdict(
                label,
                f"≤ 3× its size ({3 * size:.0f} MiB)",
                f"{above:+.0f} MiB ({ma['extra_mib']:.0f} → {mm['extra_mib']:.0f} MiB)",
                above <= 3 * size and not mm["failures"],
            )
        )
    throughput = summarize(rounds["new_known"]["addon"])["mails_per_s"]
    out.append(
        Verdict(
            "throughput, new tickets with the addon",
            "reported for 1 000 mails",
            f"{throughput:.1f} mails/s over {args.mails} mails"
            + ("" if args.mails >= 1000 else " (fewer than the 1 000 it asks for)"),
            None,
        )
    )
    for extra in results.get("extra", {}).values():
        out += extra.get("verdicts", [])
    return out


def render(results, args, durations):
    """The whole report, as Markdown."""
    rounds = results["rounds"]
    lines = []
    add = lines.append
    add("# helpdesk_mgmt_mailgate benchmark")
    add("")
    add(
        f"{args.mails} mails per scenario after {args.warmup} warm-up mails, in "
        f"{min(args.rounds, args.mails)} rounds; each mail pushed through "
        "`mail.thread.message_process` with one commit, in two fresh databases "
        "without demo data, `helpdesk_mgmt` alone and with "
        "`helpdesk_mgmt_mailgate`, processed alternately, the order swapped "
        "each round. Time ratio = median over rounds of (mean time per mail "
        "with the addon ÷ without); queries = `odoo.sql_db.sql_counter` delta "
        "per mail, commit included."
    )
    add("")
    add("## Targets")
    add("")
    add("| target | asked | measured | result |")
    add("|---|---|---|---|")
    judged = verdicts(results, args)
    for v in judged:
        add(f"| {v.target} | {v.asked} | {v.measured} | {word(v.ok)} |")
    failed = [v for v in judged if v.ok is False]
    passed = [v for v in judged if v.ok]
    add("")
    add(
        f"**{len(passed)} of {len(passed) + len(failed)} targets met"
        + (f"; missed: {', '.join(v.target for v in failed)}.**" if failed else ".**")
    )
    add("")
    add("## Scenarios")
    add("")
    add(
        "| scenario | alone mails/s | addon mails/s | alone queries/mail | "
        "addon queries/mail | extra queries | time addon ÷ alone (median) | "
        "failed | misrouted |"
    )
    add("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for scenario in SCENARIOS:
        al = summarize(rounds[scenario.key]["alone"])
        ad = summarize(rounds[scenario.key]["addon"])
        ratio, _ = median_ratio(
            rounds[scenario.key]["addon"], rounds[scenario.key]["alone"]
        )
        add(
            f"| {scenario.label} | {al['mails_per_s']:.1f} | {ad['mails_per_s']:.1f} | "
            f"{al['queries_mean']:.1f} | {ad['queries_mean']:.1f} | "
            f"{ad['queries_mean'] - al['queries_mean']:+.1f} | {ratio:.2f}× | "
            f"{al['failures']} / {ad['failures']} | "
            f"{al['misrouted']} / {ad['misrouted']} |"
        )
    add("")
    add("Time per mail in ms (mean, median, p95) and queries (min–max):")
    add("")
    add("| scenario | database | mean | median | p95 | queries |")
    add("|---|---|---:|---:|---:|---|")
    for scenario in SCENARIOS:
        for key in ("alone", "addon"):
            s = summarize(rounds[scenario.key][key])
            add(
                f"| {BY_KEY[scenario.key].label} | {key} | {s['mean_ms']:.1f} | "
                f"{s['median_ms']:.1f} | {s['p95_ms']:.1f} | "
                f"{s['queries_mean']:.1f} ({s['queries_min']}–{s['queries_max']}) |"
            )
    memory = results.get("memory", {})
    if memory:
        add("")
        add("Memory: one big new-ticket mail processed alone in a fresh process:")
        add("")
        add(
            "| mail | raw size | alone: extra peak RSS | addon: extra peak RSS "
            "| method |"
        )
        add("|---|---:|---:|---:|---|")
        for kind, data in memory.items():
            cells = []
            for key in ("alone", "addon"):
                d = data[key]
                cells.append(
                    d.get("error") or f"{d['extra_mib']:.0f} MiB ({d['seconds']:.1f} s)"
                )
            size = data["addon"].get("size") or data["alone"].get("size") or 0
            method = data["addon"].get("method") or "—"
            add(
                f"| {kind} | {size / MIB:.1f} MiB | {cells[0]} | {cells[1]} "
                f"| {method} |"
            )
    for name, extra in results.get("extra", {}).items():
        add("")
        add(f"## {name}")
        add("")
        lines.extend(extra["lines"])
    finish = results["finish"]
    add("")
    add("## Sanity checks after the scenarios (whole database)")
    add("")
    add("| check | alone | addon |")
    add("|---|---:|---:|")
    for check in finish["alone"]["checks"]:
        add(
            f"| {check} | {finish['alone']['checks'][check]} | "
            f"{finish['addon']['checks'][check]} |"
        )
    addon = finish["addon"]
    mach = results["machine"]
    add("")
    add("## Machine and versions")
    add("")
    add(f"- CPU: {mach['cpu']}, {mach['cores']} cores; RAM {mach['ram']}")
    add(f"- OS: {mach['os']}")
    add(
        f"- Python {mach['python']}; PostgreSQL {addon['postgresql']}; "
        f"Odoo {addon['odoo']}"
    )
    add(
        "- Modules: "
        + ", ".join(f"{k} {v}" for k, v in sorted(addon["modules"].items()))
        + f"; addon checkout {results['git']}"
    )
    add(f"- Date: {results['date']}")
    add(
        f"- Run time: {durations['total']:.0f} s ("
        + ", ".join(
            f"{k} {v:.0f} s" for k, v in durations.items() if k != "total" and v >= 0.5
        )
        + f"); command: `{results['command']}`"
    )
    add("")
    return "\n".join(lines)
