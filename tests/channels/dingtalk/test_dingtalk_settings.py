"""The `dingtalk:` section of credentials.yml: names DingTalk's console uses, defaults, and
every problem reported at once with what to write."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrbot.channels.dingtalk import DingTalkSettingsError, dingtalk_settings, settings_from_credentials
from hrbot.shared.credentials import read_credentials


def test_dingtalk_settings_read_from_credentials_with_environment_variables(tmp_path: Path) -> None:
    path = tmp_path / "credentials.yml"
    path.write_text(
        "rest:\n  trust_sender: true\n"
        "dingtalk:\n  client_id: ${DT_ID}\n  client_secret: ${DT_SECRET}\n  mode: http\n",
        encoding="utf-8",
    )

    settings = settings_from_credentials(read_credentials(path, {"DT_ID": "dingabc", "DT_SECRET": "s3cr3t"}))

    assert settings is not None
    assert (settings.client_id, settings.client_secret, settings.mode) == ("dingabc", "s3cr3t", "http")
    assert settings.robot_code == "dingabc"  # DingTalk's default robot code is the app's client id
    assert settings.api_base_url == "https://api.dingtalk.com"
    assert "s3cr3t" not in repr(settings)


def test_dingtalk_settings_are_off_without_a_dingtalk_section(tmp_path: Path) -> None:
    path = tmp_path / "credentials.yml"
    path.write_text("rest:\n", encoding="utf-8")

    assert settings_from_credentials(read_credentials(path)) is None


def test_dingtalk_settings_take_the_older_app_key_names_and_default_to_stream_mode() -> None:
    settings = dingtalk_settings({"app_key": "dingabc", "app_secret": "s", "robot_code": "dingrobot",
                                  "api_base_url": "http://127.0.0.1:9/"})

    assert (settings.client_id, settings.robot_code, settings.mode) == ("dingabc", "dingrobot", "stream")
    assert settings.api_base_url == "http://127.0.0.1:9"


def test_dingtalk_settings_report_every_problem_at_once() -> None:
    with pytest.raises(DingTalkSettingsError) as caught:
        dingtalk_settings({"clientid": "x", "mode": "websocket", "robot_code": 12345,
                           "api_base_url": "api.dingtalk.com"}, "project/credentials.yml")

    message = str(caught.value)
    assert message.startswith("project/credentials.yml: the 'dingtalk' section is not usable")
    for expected in ("unknown key(s) clientid", "'client_id' is missing", "'client_secret' is missing",
                     "'mode' is 'websocket'", "'robot_code' must be a non-empty string, got int 12345",
                     "'api_base_url' 'api.dingtalk.com' must start with https://"):
        assert expected in message


def test_dingtalk_settings_refuse_two_different_values_for_one_setting() -> None:
    with pytest.raises(DingTalkSettingsError, match=r"'client_id' and 'app_key' .* differ"):
        dingtalk_settings({"client_id": "a", "app_key": "b", "client_secret": "s"})


def test_dingtalk_settings_refuse_an_empty_secret() -> None:
    with pytest.raises(DingTalkSettingsError, match="'client_secret' must be a non-empty string, got empty"):
        dingtalk_settings({"client_id": "a", "client_secret": "  "})
