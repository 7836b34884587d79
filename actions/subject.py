"""Whom a question is about: the employee asking, or someone they name.

"张伟上个月工资多少", "E1024还有几天年假", "我领导的工资是多少": the message names another
employee (the `person` entity, an employee id, a relation, or a name in front of "的"). The bot
never trusts that name: it asks HRM, as the asker, for the employees of that name the asker may
see (themself, their direct reports, anyone for HR roles). Whoever the asker may not see is
answered exactly like a name nobody has — the same sentence, so the reply never tells whether the
person or the figure exists. Allowed reads of another employee's data are written to the audit log
by the connector (every call names its target).

A follow-up ("那9月呢?") keeps the person of the previous answer through the `about_employee`
slot; a new question that names nobody is about the asker again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from actions.identity import Employee
from actions.when import entity_values, latest_text

ABOUT_SLOT = "about_employee"
"""The employee id the previous answer was about (None: the asker)."""

FOLLOW_UP_INTENTS = frozenset({"inform"})

EMPLOYEE_ID = re.compile(r"(?<![A-Za-z0-9])[Ee]\d{4}(?!\d)")
MANAGER_WORDS = re.compile(
    r"(?:我的?|俺的?)(?:直属)?(?:领导|上级|上司|主管|经理|老板|leader|boss)"
    r"(?=的|呢|还|今年|去年|上个?月|这个?月|本月)",
    re.IGNORECASE,
)
"""The asker's manager as the owner of something ("我领导的工资"), not "我的领导是谁"."""
OWNER_AFTER = (
    r"(?=的|呢|还|今年|去年|上个?月|这个?月|本月|[0-9一二三四五六七八九十]+月|工资|薪|奖金|年假|假期|"
    r"考勤|打卡|迟到|绩效|培训|项目|档案|手机|电话|身份证|银行卡|社保|公积金|哪天入职|有几|有多少|剩)"
)
"""What follows a name when the question is about that person's data ("张伟的", "张伟还有",
"张伟上个月工资"), and not about them as an approver ("王经理批我的假没有")."""
TEAM_WORDS = re.compile(r"我的?(?:下属|组员|团队成员|手下|员工)(?=的|还|[\u4e00-\u9fa5]{2,3}的)")
SELF_WORDS = re.compile(r"^(?:我|本人|自己)$")

COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱"
    "严覃武戴莫孔向汤"
)
NAME_BEFORE_OF = re.compile(
    rf"(?:^|[,,。!?!?\s]|帮我查一?下|帮我看一?下|查一?下|看一?下|告诉我|我想知道|请问|同事|下属|员工)"
    rf"([{COMMON_SURNAMES}][\u4e00-\u9fa5]{{1,2}}?)(?:的|今年|去年|上个?月|这个?月|本月|还[有剩能可])"
)
NOT_NAMES = frozenset({
    "周一", "周二", "周三", "周四", "周五", "周六", "周日", "周天", "周末", "上周", "高温", "金额", "余额",
    "方面", "方式", "任务", "程序", "许可", "全年", "全部", "公司", "石家庄", "武汉", "江苏", "夏天", "冬天",
    "年假", "病假", "事假", "婚假", "产假", "丧假", "陪产假", "调休", "工资", "薪资", "社保", "公积金",
    "毛利", "马上", "曾经", "向上", "成本", "戴尔", "苏州", "唐山", "黄山", "孙子", "周年", "高铁",
    "严重", "白天", "田地", "于是", "同事", "万元", "钱数", "陈述", "付款", "付费",
})


@dataclass(frozen=True)
class Mention:
    """Someone other than the asker a message names: by `name`, by employee `employee_id`, or
    as the asker's `manager`."""

    name: str | None = None
    employee_id: str | None = None
    manager: bool = False
    team: bool = False

    @property
    def words(self) -> str:
        """How the reply refers to them ("张伟", "E1024", "您的上级", "您的下属")."""
        if self.manager:
            return "您的上级"
        if self.team and not (self.name or self.employee_id):
            return "您的下属"
        return self.name or self.employee_id or "这位同事"


@dataclass(frozen=True)
class Subject:
    """Whom an answer is about: the asker (`employee_id` None) or another employee the asker
    may see, with the `name` the reply uses."""

    employee_id: str | None = None
    name: str = ""

    @property
    def is_self(self) -> bool:
        return self.employee_id is None

    @property
    def you(self) -> str:
        """"您" for the asker, else the person's name."""
        return "您" if self.is_self else self.name


SELF = Subject()


def mention_in(message: str, people: Sequence[Any], asker: Employee) -> Mention | None:
    """The other employee `message` is about (its `person` entities given), or None when it is
    about the asker. A name or id that is the asker's own is the asker."""
    names = [str(p).strip() for p in people if isinstance(p, str) and str(p).strip()]
    names = [n for n in names if not SELF_WORDS.match(n) and _owns_something(message, n)]
    ids = [m.group(0).upper() for m in EMPLOYEE_ID.finditer(message)]
    for employee_id in ids:
        if employee_id != asker.employee_id:
            return Mention(employee_id=employee_id)
    for name in names:
        if name != asker.name:
            return Mention(name=name)
    if ids or names:
        return None
    if MANAGER_WORDS.search(message):
        return Mention(manager=True)
    team = bool(TEAM_WORDS.search(message))
    for match in NAME_BEFORE_OF.finditer(message):
        name = match.group(1)
        if name not in NOT_NAMES and name != asker.name:
            return Mention(name=name, team=team)
    return Mention(team=True) if team else None


def _owns_something(message: str, name: str) -> bool:
    """Whether `message` asks about `name`'s data; a name not written as such in the message
    (a normalised entity value) is taken as asked about, to be safe."""
    if name not in message:
        return True
    return re.search(re.escape(name) + OWNER_AFTER, message) is not None


def mention_of(tracker: Any, asker: Employee) -> Mention | None:
    """The other employee the latest message is about; for a follow-up that names nobody, the
    person the previous answer was about (kept in the `about_employee` slot)."""
    mention = mention_in(latest_text(tracker), entity_values(tracker, "person"), asker)
    if mention is not None:
        return mention
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    previous = tracker.get_slot(ABOUT_SLOT)
    if intent in FOLLOW_UP_INTENTS and isinstance(previous, str) and previous != asker.employee_id:
        return Mention(employee_id=previous)
    return None


def refusal(mention: Mention, topic: str, asker: Employee) -> str:
    """The one answer for every person the asker may not see, whether or not they exist."""
    whose = "您本人和您直属下属" if asker.is_manager else "您本人"
    return (f"抱歉,出于隐私保护,我只能查询{whose}的{topic},无法提供{mention.words}的相关信息。"
            "如确有工作需要,请联系人力资源部。")


def visible_match(found: Mapping[str, Any], mention: Mention) -> list[Mapping[str, Any]]:
    """The rows of an HRM employee search that are the person mentioned."""
    rows: list[Mapping[str, Any]] = [r for r in found.get("employees") or [] if isinstance(r, Mapping)]
    if mention.employee_id:
        return [r for r in rows if r.get("id") == mention.employee_id]
    return [r for r in rows if r.get("name") == mention.name]
