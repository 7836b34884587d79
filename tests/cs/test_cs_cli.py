"""`hrbot cs attribute` and `hrbot cs report` end to end on the demo data, through the same
parser and error handling the `hrbot` entry point uses."""

from __future__ import annotations

import argparse
import csv
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest

from hrbot.cli.commands import cs
from hrbot.cli.terminal import Terminal
from hrbot.shared.errors import HrbotError

DEMO = Path(__file__).resolve().parents[2] / "demo" / "company.json"


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def run(*argv: str) -> Run:
    """Like hrbot.cli.main.main, with only the cs command registered."""
    parser = argparse.ArgumentParser(prog="hrbot")
    cs.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    out, err = StringIO(), StringIO()
    terminal = Terminal(out=out, err=err)
    try:
        code = int(args.handler(args, terminal))
    except HrbotError as error:
        terminal.error(str(error))
        code = 1
    return Run(code, out.getvalue(), err.getvalue())


def test_cs_attribute_writes_every_demo_session_with_the_required_fields(tmp_path: Path) -> None:
    out = tmp_path / "attribution.json"

    result = run(
        "cs",
        "attribute",
        "--from",
        "2026-10-01",
        "--to",
        "2026-11-30",
        "--out",
        str(out),
        "--data",
        str(DEMO),
    )

    assert result.code == 0, result.err
    assert result.out.strip() == str(out)
    written = json.loads(out.read_text(encoding="utf-8"))
    demo = json.loads(DEMO.read_text(encoding="utf-8"))
    assert set(written) == {s["id"] for s in demo["cs_sessions"]}
    for record in written.values():
        assert set(record) == {"agent_id", "confidence", "method", "evidence", "shares"}
        assert sum(record["shares"].values()) == pytest.approx(1.0, abs=1e-9)
    assert "attributed 995 sessions" in result.err
    assert "reading signatures and logins" in result.err


def test_cs_report_writes_csv_html_and_explanations_that_add_up(tmp_path: Path) -> None:
    result = run(
        "cs",
        "report",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--pool",
        "30000",
        "--weights",
        "volume=0.5,rating=0.25,resolution=0.25",
        "--out-dir",
        str(tmp_path / "r"),
        "--data",
        str(DEMO),
    )

    assert result.code == 0, result.err
    with (tmp_path / "r" / "report.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("30000.00")
    assert all(r["amount_response"] == "" for r in rows)  # weight 0: not part of the formula
    assert "data-agent" in (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "接待量 50%" in (tmp_path / "r" / "explanations.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-11-30"], "--from: '2026-13-01' is not a date"),
        (["--from", "2026-11-30", "--to", "2026-10-01"], "--to 2026-10-01 is before --from 2026-11-30"),
        (
            ["--from", "2026-10-01", "--to", "2026-10-31", "--data", "missing.json"],
            "missing.json: file not found",
        ),
        (
            ["--from", "2026-10-01", "--to", "2026-10-31", "--method", "magic"],
            "--method: unknown method 'magic'",
        ),
    ],
)
def test_cs_attribute_errors_name_the_bad_argument(tmp_path: Path, argv: list[str], message: str) -> None:
    argv = [*argv, "--out", str(tmp_path / "a.json")]
    if "--data" not in argv:
        argv += ["--data", str(DEMO)]

    result = run("cs", "attribute", *argv)

    assert result.code == 1
    assert message in result.err


def test_cs_report_refuses_a_pool_with_fractions_of_a_cent(tmp_path: Path) -> None:
    result = run(
        "cs",
        "report",
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
        "--pool",
        "100.001",
        "--out-dir",
        str(tmp_path),
        "--data",
        str(DEMO),
    )

    assert result.code == 1
    assert "--pool: '100.001' has more than two decimals" in result.err


def test_cs_without_an_action_prints_its_usage() -> None:
    result = run("cs")

    assert result.code == 2
    assert "attribute" in result.out and "report" in result.out
