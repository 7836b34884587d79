"""Each role sees only what it needs: agents the inbox and transcripts, designers transcripts
with personal figures masked, admins everything plus the audit log and accounts; strangers are
sent to the login page."""

from __future__ import annotations

import re

import pytest
from console_support import ADMIN, AGENT, DESIGNER, EMPLOYEE, SALARY_REPLY, Browser, Console

from hrbot.console.roles import ROLE_PERMISSIONS, Permission, Role

PAGES = {"/inbox": Permission.INBOX, "/transcripts": Permission.TRANSCRIPTS, "/audit": Permission.AUDIT,
         "/accounts": Permission.ACCOUNTS, "/inbox.json": Permission.INBOX,
         f"/transcripts/{EMPLOYEE}": Permission.TRANSCRIPTS, f"/conversations/{EMPLOYEE}": Permission.INBOX,
         "/audit/export?format=csv": Permission.AUDIT, "/review": Permission.ANNOTATION,
         "/retrain": Permission.TRAINING, "/analytics": Permission.ANALYTICS}
NAV = {"/inbox": "待处理", "/transcripts": "会话记录", "/review": "审阅标注", "/retrain": "重新训练",
       "/analytics": "数据分析", "/audit": "审计日志", "/accounts": "账号管理"}


def nav_links(html: str) -> list[str]:
    nav = html[html.index("<nav>"): html.index("</nav>")]
    return re.findall(r'href="/console(/[a-z]+)"', nav)


@pytest.fixture
def staffed(console: Console) -> Console:
    for username in (AGENT, ADMIN, DESIGNER):
        console.add_account(username)
    console.say(EMPLOYEE, "/salary_query")
    console.hand_off(EMPLOYEE, "我的身份证330106199001011234,手机13912345678")
    return console


@pytest.mark.parametrize("username, role", [
    (AGENT, Role.HR_AGENT), (DESIGNER, Role.DESIGNER), (ADMIN, Role.HR_ADMIN)])
def test_each_role_is_shown_and_let_into_exactly_the_pages_its_permissions_allow(
    staffed: Console, browser: Browser, username: str, role: Role
) -> None:
    browser.log_in(username)
    allowed = ROLE_PERMISSIONS[role]

    home = browser.get("/", follow_redirects=True)
    assert home.status_code == 200
    assert nav_links(home.text) == [path for path in NAV if PAGES[path] in allowed]
    for path, permission in PAGES.items():
        status = browser.get(path).status_code
        assert status == (200 if permission in allowed else 403), f"{username} GET {path}: {status}"


def test_agents_land_on_the_inbox_and_designers_on_the_transcripts(
    staffed: Console, browser: Browser
) -> None:
    assert browser.log_in(AGENT).headers["location"] == "/console/"
    assert browser.get("/").headers["location"] == "/console/inbox"
    browser.post("/logout")
    browser.log_in(DESIGNER)
    assert browser.get("/").headers["location"] == "/console/transcripts"


def test_a_stranger_is_sent_to_the_login_page_and_sees_no_data(staffed: Console, browser: Browser) -> None:
    for path in PAGES:
        response = browser.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/console/login"
    assert browser.get("/live/inbox", headers={"Accept": "text/event-stream"}).status_code == 401


def test_a_designer_reads_transcripts_with_salary_id_number_and_phone_masked(
    staffed: Console, browser: Browser
) -> None:
    browser.log_in(DESIGNER)

    page = browser.get(f"/transcripts/{EMPLOYEE}")

    assert page.status_code == 200
    assert "12,345.67" not in page.text and "10月实发 ***元。" in page.text
    assert "330106199001011234" not in page.text and "3301**********1234" in page.text
    assert "13912345678" not in page.text and "139****5678" in page.text
    assert "已脱敏" in page.text
    assert "意图 <code>salary_query</code>" in page.text  # the NLU results are there for annotation


def test_an_agent_reads_the_same_transcript_unmasked(staffed: Console, browser: Browser) -> None:
    browser.log_in(AGENT)

    page = browser.get(f"/transcripts/{EMPLOYEE}")

    assert SALARY_REPLY in page.text and "330106199001011234" in page.text
    assert "已脱敏" not in page.text


def test_the_employee_profile_is_masked_for_everyone_even_admins(staffed: Console, browser: Browser) -> None:
    browser.log_in(ADMIN)

    inbox = browser.get("/inbox").text
    profile = inbox[inbox.index('<span class="profile">'):]
    profile = profile[: profile.index("</span></span>")]

    assert "吴婉清" in profile and "客服部" in profile and "135****4059" in profile
    for never_shown in ("13518564059", "330106199302274893", "6222377774022382841", "7600"):
        assert never_shown not in inbox  # E1008's phone, ID number, bank account, salary


def test_role_changes_apply_to_open_sessions_at_their_next_request(
    staffed: Console, browser: Browser
) -> None:
    browser.log_in(AGENT)
    assert browser.get("/inbox").status_code == 200

    staffed.run(staffed.ctx.accounts.update_profile(AGENT, display_name="徐雨萱", employee_id=AGENT,
                                                     roles=frozenset({Role.DESIGNER})))

    assert browser.get("/inbox").status_code == 403
    assert browser.get(f"/transcripts/{EMPLOYEE}").status_code == 200
