"""`hrbot cs attribute|report`: who handled each customer-service session on the shared
accounts, and the period's KPIs and performance pool (handbook 7.2)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hrbot.cli.terminal import Terminal

DEFAULT_DATA = Path("demo/company.json")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("cs", help="customer-service attribution, KPIs and performance pool")
    actions = parser.add_subparsers(dest="cs_action", metavar="ACTION")

    attribute = actions.add_parser("attribute", help="attribute each shared-account session to an agent")
    _common(attribute)
    attribute.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE.json",
        help="where to write {session id: {agent_id, confidence, method, evidence, shares}}",
    )
    attribute.set_defaults(handler=handle)

    report = actions.add_parser("report", help="per-agent KPIs, pool allocation, CSV + HTML report")
    _common(report)
    report.add_argument(
        "--pool", required=True, metavar="AMOUNT", help="the performance pool in yuan, e.g. 50000"
    )
    report.add_argument(
        "--weights",
        default=None,
        metavar="SPEC",
        help="component weights (default volume=0.4,response=0.2,resolution=0.2,rating=0.2); "
        "components left out weigh 0",
    )
    report.add_argument(
        "--out-dir",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder for report.csv, report.html, explanations.md and attribution.json",
    )
    report.set_defaults(handler=handle)
    parser.set_defaults(handler=handle, cs_help=parser.format_help())


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="first", required=True, metavar="DATE", help="first day, YYYY-MM-DD")
    parser.add_argument(
        "--to", dest="last", required=True, metavar="DATE", help="last day (included), YYYY-MM-DD"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"company.json with the cs_* tables (default: {DEFAULT_DATA})",
    )
    parser.add_argument(
        "--method",
        default=None,
        metavar="NAME",
        help="tie-breaker for overlapping logins without a signature: style (default, "
        "learned), split, first_login or last_login",
    )


def handle(args: argparse.Namespace, terminal: Terminal) -> int:
    action = getattr(args, "cs_action", None)
    if action == "attribute":
        return _attribute(args, terminal)
    if action == "report":
        return _report(args, terminal)
    terminal.print(getattr(args, "cs_help", "usage: hrbot cs {attribute,report} ..."))
    return 2


def _attribute_period(args: argparse.Namespace, terminal: Terminal) -> tuple[Any, Any, dict[str, Any], str]:
    from hrbot.cs.engine import AttributionOptions, attribute_sessions
    from hrbot.cs.loading import load_cs_data
    from hrbot.cs.period import parse_period
    from hrbot.cs.tiebreak import DEFAULT_TIE_BREAKER, TIE_BREAKERS, make_tie_breaker
    from hrbot.shared.errors import HrbotError

    period = parse_period(args.first, args.last)
    method = args.method or DEFAULT_TIE_BREAKER
    if method not in TIE_BREAKERS:
        raise HrbotError(
            f"--method: unknown method '{method}'; choose one of {', '.join(sorted(TIE_BREAKERS))}"
        )
    breaker = make_tie_breaker(method)
    terminal.info(f"loading {args.data}")
    data = load_cs_data(args.data)
    attributions = attribute_sessions(
        data,
        period=period,
        options=AttributionOptions(tie_breaker=method),
        tie_breaker=breaker,
        progress=terminal.progress,
    )
    if not attributions:
        terminal.info(f"warning: no sessions in {args.data} start between {period.first} and {period.last}")
    return data, period, attributions, method


def _attribute(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.cs.attribution import write_attributions
    from hrbot.cs.engine import method_counts

    _, _, attributions, _ = _attribute_period(args, terminal)
    write_attributions(args.out, attributions.values())
    counts = ", ".join(f"{method} {n}" for method, n in method_counts(attributions.values()).items())
    terminal.info(f"attributed {len(attributions)} sessions ({counts or 'none'})")
    terminal.print(str(args.out))
    return 0


def _report(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.cs.pool import DEFAULT_WEIGHTS, parse_amount, parse_weights
    from hrbot.cs.report import build_report, write_report

    pool = parse_amount(args.pool)
    weights = parse_weights(args.weights) if args.weights is not None else DEFAULT_WEIGHTS
    data, period, attributions, method = _attribute_period(args, terminal)
    terminal.progress("computing KPIs and the pool allocation")
    report = build_report(
        data, attributions, period, pool, weights, tie_breaker=method, source=str(args.data)
    )
    paths = write_report(report, attributions, args.out_dir)
    terminal.info(
        f"{len(report.kpis.agents)} agents, {report.kpis.team.sessions} sessions, pool ¥{pool:,} "
        f"allocated ({report.allocation.requested.describe()})"
    )
    for path in paths:
        terminal.print(str(path))
    return 0
