"""credentials.yml: channel settings as Rasa writes them, with ${VAR} from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrbot.shared.credentials import read_credentials
from hrbot.shared.errors import InvalidProjectError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "credentials.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_channels_and_their_settings_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, "rest:\n  trust_sender: false\nsocketio:\nwecom:\n  corp_id: ${CORP}\n")

    credentials = read_credentials(path, environ={"CORP": "ww123"})

    assert credentials.channel("rest") == {"trust_sender": False}
    assert credentials.channel("socketio") == {}
    assert credentials.channel("wecom") == {"corp_id": "ww123"}
    assert credentials.channel("dingtalk") is None


def test_a_missing_file_means_no_channel_settings(tmp_path: Path) -> None:
    assert read_credentials(tmp_path / "nope.yml").channels == {}
    assert read_credentials(None).channels == {}


def test_problems_name_the_file_and_line(tmp_path: Path) -> None:
    text = "rest:\n  trust_sender: false\nwecom: just-a-string\ndingtalk:\n  secret: ${NOPE}\n"
    path = write(tmp_path, text)

    with pytest.raises(InvalidProjectError) as raised:
        read_credentials(path, environ={})

    text = str(raised.value)
    assert "credentials.yml:3" in text and "must be a mapping" in text
    assert "credentials.yml:5" in text and "'NOPE' is not set" in text
