"""The `wecom:` section of credentials.yml: what it takes, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from wecom_fakes import SAMPLE_AES_KEY, SAMPLE_CORP_ID, SAMPLE_TOKEN

from hrbot.channels.wecom import wecom_settings
from hrbot.channels.wecom.errors import WeComSettingsError
from hrbot.channels.wecom.settings import DEFAULT_API_BASE_URL, WeComSettings
from hrbot.shared.credentials import Credentials, read_credentials

SECTION = """\
wecom:
  corp_id: ${WECOM_CORP_ID}
  agent_id: ${WECOM_AGENT_ID}
  secret: ${WECOM_SECRET}
  token: ${WECOM_TOKEN}
  encoding_aes_key: ${WECOM_AES_KEY}
"""
ENVIRONMENT = {"WECOM_CORP_ID": SAMPLE_CORP_ID, "WECOM_AGENT_ID": "1000002", "WECOM_SECRET": "s3cret-value",
               "WECOM_TOKEN": SAMPLE_TOKEN, "WECOM_AES_KEY": SAMPLE_AES_KEY}


def complete(**changes: object) -> dict[str, object]:
    section: dict[str, object] = {"corp_id": SAMPLE_CORP_ID, "agent_id": 1000002, "secret": "s",
                                  "token": SAMPLE_TOKEN, "encoding_aes_key": SAMPLE_AES_KEY}
    section.update(changes)
    return {key: value for key, value in section.items() if value is not None}


def test_settings_come_from_credentials_yml_with_environment_variables(tmp_path: Path) -> None:
    path = tmp_path / "credentials.yml"
    path.write_text(SECTION, encoding="utf-8")

    settings = wecom_settings(read_credentials(path, environ=ENVIRONMENT))

    assert settings is not None
    assert (settings.corp_id, settings.agent_id, settings.secret) == (SAMPLE_CORP_ID, 1000002, "s3cret-value")
    assert settings.api_base_url == DEFAULT_API_BASE_URL
    assert settings.webhook_path == "/webhooks/wecom/webhook"
    assert len(settings.aes_key) == 32


def test_without_a_wecom_section_there_is_no_wecom_channel() -> None:
    assert wecom_settings(Credentials({"rest": {}})) is None


def test_the_secret_token_and_key_never_appear_in_the_settings_repr() -> None:
    settings = WeComSettings.from_credentials(complete(secret="s3cret-value"))

    shown = repr(settings)

    assert SAMPLE_CORP_ID in shown
    assert "s3cret-value" not in shown and SAMPLE_TOKEN not in shown and SAMPLE_AES_KEY not in shown


def test_optional_settings_are_read_and_the_api_base_url_can_point_at_a_test_server() -> None:
    settings = WeComSettings.from_credentials(complete(
        api_base_url="http://127.0.0.1:9999/cgi-bin", markdown=False, max_clock_skew_seconds=60,
        webhook_path="/wecom/callback",
    ))

    assert (settings.api_base_url, settings.markdown) == ("http://127.0.0.1:9999/cgi-bin", False)
    assert (settings.max_clock_skew_seconds, settings.webhook_path) == (60.0, "/wecom/callback")


@pytest.mark.parametrize(("section", "message"), [
    (complete(secret=None, token=None), "missing secret, token"),
    (complete(agentid=5), "unknown key(s) agentid"),
    (complete(agent_id="app-one"), "'agent_id' must be the app's numeric AgentId"),
    (complete(encoding_aes_key=SAMPLE_AES_KEY[:-1]), "must be the 43 letters and digits"),
    (complete(encoding_aes_key=SAMPLE_AES_KEY[:-1] + "!"), "must be the 43 letters and digits"),
    (complete(api_base_url="qyapi.weixin.qq.com"), "'api_base_url' must be an http(s) URL"),
    (complete(markdown="yes"), "'markdown' must be true or false"),
    (complete(token="has space"), "'token' must be the Token"),
])
def test_a_wrong_section_is_refused_naming_the_file_the_key_and_the_fix(
    section: dict[str, object], message: str,
) -> None:
    with pytest.raises(WeComSettingsError) as refused:
        WeComSettings.from_credentials(section, "project/credentials.yml")

    assert str(refused.value).startswith("project/credentials.yml: wecom: ")
    assert message in str(refused.value)
