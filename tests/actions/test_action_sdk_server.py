"""Serving a project's rasa_sdk actions in a child process."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from hrbot.actions.sdk_server import ActionServerProcess, serve_actions, start_action_server
from hrbot_test_support import subprocess_env


def test_the_server_lists_every_action_of_the_project_package(action_server: ActionServerProcess) -> None:
    assert httpx.get(f"{action_server.url}/health").json() == {"status": "ok"}
    names = {item["name"] for item in httpx.get(f"{action_server.url}/actions").json()}
    assert {"action_hello", "action_refuse", "validate_leave_form"} <= names
    assert action_server.webhook_url.endswith("/webhook")


def test_serving_a_project_without_an_actions_package_says_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as missing:
        serve_actions(tmp_path, actions_package="hr_actions")
    assert "no actions package 'hr_actions'" in str(missing.value)


def test_a_package_that_does_not_import_stops_the_start_with_the_servers_output(tmp_path: Path) -> None:
    (tmp_path / "actions").mkdir()
    (tmp_path / "actions" / "__init__.py").write_text(
        "import hr_backend_that_does_not_exist\n", encoding="utf-8"
    )
    with pytest.raises(RuntimeError) as failure:
        start_action_server(tmp_path, env=subprocess_env(), startup_timeout=20)
    assert "exited with code 1" in str(failure.value)
    assert "hr_backend_that_does_not_exist" in str(failure.value)
