"""The HR systems' settings: endpoints.yml's `hr_systems` section, overridden by the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from actions.connectors.config import ConfigError, SystemsConfig, load_systems_config, project_dir
from connector_support import REPO

SECTION = """
hr_systems:
  url: "http://hr.example:9000/"
  timeout: 2.5
  retries: 1
  tokens:
    hrm: "h"
    erp: "e"
    oa: "o"
    crm: "c"
    pms: "p"
"""


def write_endpoints(folder: Path, text: str) -> Path:
    (folder / "endpoints.yml").write_text(text, encoding="utf-8")
    return folder


def test_the_project_endpoints_file_configures_the_demo_backend() -> None:
    config = load_systems_config(REPO, env={})

    assert config.url == "http://127.0.0.1:8800"
    assert config.token("oa") == "demo-oa-token"
    assert config.timeout == 5.0
    assert config.retries == 2


def test_hrbot_still_reads_the_endpoints_file_with_the_hr_systems_section() -> None:
    from hrbot.shared.endpoints import read_endpoints

    endpoints = read_endpoints(REPO / "endpoints.yml", environ={})

    assert endpoints.action_endpoint is not None


def test_the_section_gives_url_timeout_retries_and_tokens(tmp_path: Path) -> None:
    config = load_systems_config(write_endpoints(tmp_path, SECTION), env={})

    assert config == SystemsConfig(
        url="http://hr.example:9000",
        tokens={"hrm": "h", "erp": "e", "oa": "o", "crm": "c", "pms": "p"},
        timeout=2.5,
        retries=1,
    )


def test_environment_variables_override_the_file(tmp_path: Path) -> None:
    env = {"HR_SYSTEMS_URL": "https://hr.internal", "HR_ERP_TOKEN": "secret", "HR_SYSTEMS_TIMEOUT": "9"}

    config = load_systems_config(write_endpoints(tmp_path, SECTION), env=env)

    assert (config.url, config.token("erp"), config.token("hrm"), config.timeout) == (
        "https://hr.internal",
        "secret",
        "h",
        9.0,
    )


def test_a_missing_token_names_the_file_the_key_and_the_variable(tmp_path: Path) -> None:
    write_endpoints(tmp_path, SECTION.replace('    pms: "p"\n', ""))

    with pytest.raises(ConfigError) as raised:
        load_systems_config(tmp_path, env={})

    message = str(raised.value)
    assert str(tmp_path / "endpoints.yml") in message
    assert "hr_systems.tokens.pms" in message
    assert "$HR_PMS_TOKEN" in message


def test_the_environment_alone_may_configure_everything(tmp_path: Path) -> None:
    env = {"HR_SYSTEMS_URL": "http://x", **{f"HR_{s}_TOKEN": s for s in ("HRM", "ERP", "OA", "CRM", "PMS")}}

    config = load_systems_config(write_endpoints(tmp_path, "action_endpoint:\n  url: http://a\n"), env=env)

    assert config.token("crm") == "CRM"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (SECTION.replace("timeout: 2.5", "timeout: soon"), "hr_systems.timeout must be a number"),
        (SECTION.replace("timeout: 2.5", "timeout: 0"), "timeout must be a positive number"),
        (SECTION.replace('"http://hr.example:9000/"', "hr.example"), "must start with http://"),
        (SECTION.replace('hrm: "h"', 'hrx: "h"'), "unknown system hrx"),
        ("hr_systems: [1, 2]\n", "'hr_systems' must be a mapping"),
        ("action_endpoint:\n  url: http://a\n", "hr_systems.url is missing"),
    ],
)
def test_wrong_settings_are_explained(tmp_path: Path, text: str, complaint: str) -> None:
    with pytest.raises(ConfigError, match=complaint):
        load_systems_config(write_endpoints(tmp_path, text), env={})


def test_a_missing_endpoints_file_says_how_to_point_at_the_project(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="HRBOT_PROJECT_DIR"):
        load_systems_config(tmp_path, env={})


def test_the_project_folder_is_hrbot_project_dir_or_the_actions_parent(tmp_path: Path) -> None:
    assert project_dir({"HRBOT_PROJECT_DIR": str(tmp_path)}) == tmp_path
    assert project_dir({}) == REPO
    assert load_systems_config(env={"HRBOT_PROJECT_DIR": str(write_endpoints(tmp_path, SECTION))}).url == (
        "http://hr.example:9000"
    )
