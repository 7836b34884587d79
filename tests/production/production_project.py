"""The small HR project the production tests serve, and the action server's package.

The bot answers greetings, goodbyes and two questions with responses, the leave balance with a
custom action and the salary with the real `action_salary_query` of the repository's actions.
The custom action `action_leave_balance` says how many user messages the conversation holds
("这是您的第3条消息"): a reply computed on a stale or half-updated conversation shows up as a
wrong number. It misbehaves on purpose for some senders, so that action-server failures can be
provoked without touching the server: `slow-...` senders wait longer than the bot's action
timeout, `broken-...` senders make it raise (rasa_sdk answers HTTP 500).

Imported by conftest.py and the test modules of tests/production."""

from __future__ import annotations

import sys
from pathlib import Path

from hrbot.model.training import train_project
from hrbot_test_support import LIGHT_CONFIG, REFERENCE_TIME, REPO_ROOT, TINY_NLU, write_tiny_project

GREETING = "您好，我是HR助手，想查什么？"
GOODBYE = "再见！"
LEAVE_RULES = "请假请在OA里提交申请，审批通过后自动扣减余额。"
ATTENDANCE_RULES = "补卡请在考勤系统里申请，每月最多3次。"
ACTION_FAILED = "抱歉，系统暂时出了点问题，您的请求没有办成。请稍后再试。"
ACTION_TIMEOUT_S = 1.0  # the bot's action_endpoint timeout
SLOW_ACTION_S = 3.0  # how long the action takes for `slow-` senders

# What users send (training examples, so the light NLU pipeline gets them right) and the text
# each intent's reply starts with ("" for the counting action, checked separately).
TEXTS: dict[str, tuple[str, ...]] = {
    "greet": ("你好", "您好", "早上好", "在吗"),
    "goodbye": ("再见", "拜拜", "回头见"),
    "request_leave": ("帮我请5天年假", "请4天病假"),
    "attendance_correction": ("我要补卡", "申请补签", "帮我补个卡"),
    "leave_balance": ("我的假期余额", "查一下我的年假余额", "病假还剩几天"),
}
REPLIES: dict[str, str] = {
    "greet": GREETING,
    "goodbye": GOODBYE,
    "request_leave": LEAVE_RULES,
    "attendance_correction": ATTENDANCE_RULES,
}
COUNT_TEXT = "这是您的第{n}条消息。您的年假还剩 5 天。"
SALARY_TEXT = "查工资"

DOMAIN = f"""\
version: "3.1"
intents:
  - greet
  - goodbye
  - leave_balance
  - request_leave
  - salary_query
  - attendance_correction
entities:
  - leave_type
  - duration
  - date
  - month
actions:
  - action_leave_balance
  - action_salary_query
responses:
  utter_greet:
    - text: "{GREETING}"
  utter_goodbye:
    - text: "{GOODBYE}"
  utter_request_leave:
    - text: "{LEAVE_RULES}"
  utter_attendance:
    - text: "{ATTENDANCE_RULES}"
  utter_action_failed:
    - text: "{ACTION_FAILED}"
"""

RULES = """\
version: "3.1"
rules:
  - rule: greet
    steps:
      - intent: greet
      - action: utter_greet
  - rule: goodbye
    steps:
      - intent: goodbye
      - action: utter_goodbye
  - rule: request leave
    steps:
      - intent: request_leave
      - action: utter_request_leave
  - rule: attendance
    steps:
      - intent: attendance_correction
      - action: utter_attendance
  - rule: leave balance
    steps:
      - intent: leave_balance
      - action: action_leave_balance
  - rule: salary
    steps:
      - intent: salary_query
      - action: action_salary_query
"""

PROBE_ACTIONS = f'''\
"""The production tests' custom actions (see production_project.py)."""

import asyncio

from rasa_sdk import Action

from actions.pay import ActionSalaryQuery  # noqa: F401 - the real HR action, registered by import


class ActionLeaveBalance(Action):
    def name(self):
        return "action_leave_balance"

    async def run(self, dispatcher, tracker, domain):
        sender = tracker.sender_id
        if sender.startswith("slow-"):
            await asyncio.sleep({SLOW_ACTION_S})
        if sender.startswith("broken-"):
            raise RuntimeError("the probe action fails on purpose for broken- senders")
        count = sum(1 for event in tracker.events if event.get("event") == "user")
        dispatcher.utter_message(text={COUNT_TEXT!r}.format(n=count))
        return []
'''


def train_production_project(root: Path) -> Path:
    """Write the project under `root` and train it (about a second); the project folder, with
    its model in models/."""
    files = {"domain.yml": DOMAIN, "data/rules.yml": RULES, "data/nlu.yml": TINY_NLU,
             "config.yml": LIGHT_CONFIG}
    project = write_tiny_project(root, files)
    for name in ("data/extras.yml", "data/userdict.txt"):
        (project / name).unlink()
    train_project(project, reference_time=REFERENCE_TIME)
    return project


def write_action_server(root: Path, hr_systems_url: str) -> Path:
    """The action server's folder: the `probe_actions` package, and an endpoints.yml whose
    `hr_systems` section points the real HR actions at `hr_systems_url`."""
    package = root / "probe_actions"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(PROBE_ACTIONS, encoding="utf-8")
    tokens = "\n".join(f"    {system}: test-{system}-token" for system in ("hrm", "erp", "oa", "crm", "pms"))
    (root / "endpoints.yml").write_text(
        f'hr_systems:\n  url: "{hr_systems_url}"\n  timeout: 2\n  retries: 1\n  tokens:\n{tokens}\n',
        encoding="utf-8",
    )
    return root


def hr_systems_down_message() -> str:
    """What the repository's HR actions tell the employee when HRM cannot be reached."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from actions.connectors.errors import SystemUnavailable

    return SystemUnavailable("hrm", "").user_message
