"""`hrbot parse` as a real process: one JSON object per stdin line, whatever the line holds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from hrbot_test_support import REFERENCE_TIME_TEXT, subprocess_env

LONG_LINE = "请假" * 10_000
INPUTS: list[bytes] = [
    "我想明天请一天病假".encode(),
    b"",
    LONG_LINE.encode(),
    b"\x00\x01\x7f",
    "😂👍🏻 你好".encode(),
    b"\xff\xfe",
    b"   ",
    "上个月工资多少\r".encode(),
    b"hello\tworld 3.5%",
]
EXPECTED_TEXTS = [
    "我想明天请一天病假", "", LONG_LINE, "\x00\x01\x7f", "😂👍🏻 你好", "\ufffd\ufffd", "   ",
    "上个月工资多少", "hello\tworld 3.5%",
]


def parse(project: Path, stdin: bytes, *options: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "hrbot.cli.main", "parse", *options],
        input=stdin, capture_output=True, cwd=project, env=subprocess_env(), timeout=120,
        check=False,
    )


def test_cli_parse_prints_one_json_object_per_input_line(project_with_model: Path) -> None:
    completed = parse(project_with_model, b"\n".join(INPUTS) + b"\n",
                      "--reference-time", REFERENCE_TIME_TEXT)

    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    lines = completed.stdout.decode("utf-8").splitlines()
    assert len(lines) == len(INPUTS)
    results = [json.loads(line) for line in lines]
    for result, text in zip(results, EXPECTED_TEXTS, strict=True):
        assert set(result) >= {"text", "intent", "intent_ranking", "entities"}
        assert result["text"] == text
        assert set(result["intent"]) == {"name", "confidence"}
        assert isinstance(result["intent"]["confidence"], float)
        assert isinstance(result["intent_ranking"], list)
        assert isinstance(result["entities"], list)
    assert b"could not parse" not in completed.stderr
    leave, salary = results[0], results[7]
    assert leave["intent"]["name"] == "request_leave"
    assert {e["entity"]: e["value"] for e in leave["entities"]}["date"] == "2026-11-22"
    assert salary["intent"]["name"] == "salary_query"
    assert {e["entity"]: e["value"] for e in salary["entities"]}["month"] == "2026-10"
    for entity in leave["entities"]:
        assert {"entity", "start", "end", "value", "extractor"} <= set(entity)


def test_cli_parse_reads_the_reference_time_from_the_environment(
    project_with_model: Path,
) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "hrbot.cli.main", "parse"],
        input="明天请假".encode(), capture_output=True, cwd=project_with_model, timeout=120,
        env=subprocess_env(HRBOT_REFERENCE_TIME="2026-01-31"), check=False,
    )

    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    result = json.loads(completed.stdout)
    assert {e["entity"]: e["value"] for e in result["entities"]}["date"] == "2026-02-01"


def test_cli_parse_in_a_project_without_a_model_trains_one_first(make_project: Any) -> None:
    project = make_project()
    assert not (project / "models").exists() or not any((project / "models").iterdir())

    completed = parse(project, "我想明天请一天病假\n".encode(), "--reference-time",
                      REFERENCE_TIME_TEXT)

    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    assert [json.loads(line)["intent"]["name"] for line in completed.stdout.decode().splitlines()
            ] == ["request_leave"]
    assert b"training one first" in completed.stderr
    assert list((project / "models").glob("*.tar.gz"))
