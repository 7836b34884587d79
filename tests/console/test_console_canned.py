"""Canned replies: one per numbered handbook section, quoting it with its number, grouped by
chapter; settings find the handbook, the company list and the callback URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from console_support import HANDBOOK_FILE

from hrbot.console.canned import by_chapter, parse_canned_replies, read_canned_replies
from hrbot.console.settings import ConsoleSettings
from hrbot.shared.errors import HrbotError


def test_every_numbered_handbook_section_becomes_a_canned_reply_under_its_chapter() -> None:
    replies = read_canned_replies(HANDBOOK_FILE)
    numbers = [reply.number for reply in replies]

    assert numbers[:3] == ["1.1", "1.2", "2.1"] and "8.2" in numbers and len(numbers) == len(set(numbers))
    marriage = next(reply for reply in replies if reply.number == "2.5")
    assert marriage.chapter == "假期"
    assert marriage.reply == "根据《员工手册》第2.5条:婚假:3天,依法登记结婚后1年内一次性休完。"
    assert [chapter for chapter, _ in by_chapter(replies)][:3] == ["总则", "假期", "考勤"]


def test_a_continuation_line_belongs_to_the_section_above() -> None:
    replies = parse_canned_replies("# 手册\n## 5 报销\n5.1 发票:\n须为公司抬头。\n")
    assert [(reply.number, reply.text) for reply in replies] == [("5.1", "发票:须为公司抬头。")]


def test_settings_come_from_the_project_folder_and_the_environment(tmp_path: Path) -> None:
    credentials = "rest:\ncallback:\n  url: https://app.test/cb\n"
    (tmp_path / "credentials.yml").write_text(credentials, encoding="utf-8")
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "handbook.md").write_text("## 1 总则\n1.1 适用于全体员工。\n", encoding="utf-8")

    environ = {"HRBOT_CONSOLE_ORIGINS": "https://hr.example.com/, "}
    settings = ConsoleSettings.from_environment(tmp_path, environ)

    assert settings.callback_url == "https://app.test/cb"
    assert settings.handbook_file == tmp_path / "demo" / "handbook.md"
    assert settings.company_file is None and settings.secure_cookies
    assert settings.allowed_origins == ("https://hr.example.com",)
    insecure = ConsoleSettings.from_environment(tmp_path, {"HRBOT_CONSOLE_INSECURE_COOKIES": "1"})
    assert not insecure.secure_cookies


def test_a_callback_without_a_usable_url_is_refused_with_the_file_named(tmp_path: Path) -> None:
    (tmp_path / "credentials.yml").write_text("callback:\n  url: not-a-url\n", encoding="utf-8")
    with pytest.raises(HrbotError, match=r"credentials\.yml: callback: url must be"):
        ConsoleSettings.from_environment(tmp_path, {})
