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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from actions.identity import Employee
from actions.when import entity_values, latest_text

ABOUT_SLOT = "about_employee"
"""The employee id the previous answer was about (None: the asker)."""

FOLLOW_UP_INTENTS = frozenset({"inform"})

EMPLOYEE_ID = re.compile(r"(?<![A-Za-z0-9])[Ee]\d{4}(?!\d)")
MANAGER_WORDS = re.compile(
    r"(?:我的?|我们的?|俺的?|咱们?的?)(?:直属)?(?:领导|上级|上司|主管|经理|老板|leader|boss)"
    r"(?!是|叫|姓|在哪|在不在)",
    re.IGNORECASE,
)
"""The asker's manager as the owner of something ("我领导的工资", "我们主管扣了多少税"), not
"我的领导是谁"."""
COLLEAGUE_WORDS = re.compile(
    r"同事|别人|他人|其他人|其他同事|大家|组员|同组|团队成员|下属|手下|部门的人|组里|我们组|别的员工"
)
"""Someone other than the asker, not named ("我同事的工资", "我们组其他人工资多少")."""
APPROVER_AFTER = re.compile(r"批|审|那里|那边|那儿|那$|同意|签字|驳回|打回|处理|通过|拒")
"""What follows a name that is the approver of the asker's own request ("王经理批我的假没有",
"卡在叶涛那里"), not the owner of the data asked about."""
COMPANION_BEFORE = re.compile(r"(?:和|跟|与|同|约)$")
SELF_WORDS = re.compile(r"^(?:我|本人|自己)$")

COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱"
    "严覃武戴莫孔向汤"
)
NAME_BEFORE_OF = re.compile(
    rf"([{COMMON_SURNAMES}][\u4e00-\u9fa5]{{1,2}}?)"
    rf"(?:的|'s|’s|今年|去年|上个?月|这个?月|本月|[0-9一二三四五六七八九十]+月|还[有剩能可]|扣|工资|薪|"
    rf"奖金|年假|考勤|打卡|迟到|绩效|手机|电话|身份证|银行|工资卡|社保|公积金|一个月|每个?月|实发|到手)"
)
"""A name the NLU did not tag, written before what is asked about it ("曾超上个月的绩效")."""
NOT_NAMES = frozenset({
    "周一", "周二", "周三", "周四", "周五", "周六", "周日", "周天", "周末", "上周", "高温", "金额", "余额",
    "方面", "方式", "任务", "程序", "许可", "全年", "全部", "公司", "石家庄", "武汉", "江苏", "夏天", "冬天",
    "年假", "病假", "事假", "婚假", "产假", "丧假", "陪产假", "调休", "工资", "薪资", "社保", "公积金",
    "毛利", "马上", "曾经", "向上", "成本", "戴尔", "苏州", "唐山", "黄山", "孙子", "周年", "高铁",
    "严重", "白天", "田地", "于是", "同事", "万元", "钱数", "陈述", "付款", "付费", "方便", "程度",
    "周期", "周报", "周工资", "孔子", "万一", "向前", "任何", "任意", "何时", "何地", "高于", "高达",
    "史上", "龙头", "江湖", "汤圆", "金卡", "金融", "林业", "钱包", "白条", "余下", "黄金", "贾宝玉",
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


NameFinder = Callable[[str], Sequence[str]]
"""Person names a text contains (a tagger's guesses; filtered here)."""


def mention_in(
    message: str, people: Sequence[Any], asker: Employee, *, find_names: NameFinder | None = None
) -> Mention | None:
    """The other employee `message` is about, or None when it is about the asker.

    Evidence, strongest first: an employee id; a name the NLU tagged (`people`), a name the
    tagger `find_names` sees or a surname-led name written before what is asked ("曾超上个月");
    "我领导…"; a colleague not named ("我同事的…"). A name that is the asker's own is the asker;
    a name that is the approver of the asker's request ("王经理批我的假没有") is nobody's data."""
    for match in EMPLOYEE_ID.finditer(message):
        if match.group(0).upper() != asker.employee_id:
            return Mention(employee_id=match.group(0).upper())
    tagged = [str(p).strip() for p in people if isinstance(p, str) and str(p).strip()]
    found = (find_names or person_names)(message)
    guessed = [*found, *(match.group(1) for match in NAME_BEFORE_OF.finditer(message))]
    names = [n for n in tagged if not SELF_WORDS.match(n)]
    names += [n for n in guessed if n not in NOT_NAMES and 2 <= len(n) <= 4 and n[0] in COMMON_SURNAMES]
    names = [_whole(name, names, message) for name in names]
    others = [n for n in names
              if n != asker.name and not asker.name.startswith(n) and not _only_involved(message, n)]
    if others:
        return Mention(name=others[0])
    if any(n == asker.name for n in names):
        return None
    if MANAGER_WORDS.search(message):
        return Mention(manager=True)
    if COLLEAGUE_WORDS.search(message):
        return Mention(team=True)
    return None


def _whole(name: str, candidates: Sequence[str], message: str) -> str:
    """The longest candidate written in `message` that `name` begins (the NLU may tag "李建" of
    "李建国")."""
    longer = [c for c in candidates if c.startswith(name) and len(c) > len(name) and c in message]
    return max(longer, key=len, default=name)


def _only_involved(message: str, name: str) -> bool:
    """Whether `name` stands in `message` as whoever handles the asker's request ("王经理批我的
    假没有") or as someone the asker meets ("我和张伟的会"), not as the owner of the data."""
    position = message.find(name)
    if position < 0:
        return False
    return (APPROVER_AFTER.match(message, position + len(name)) is not None
            or COMPANION_BEFORE.search(message[:position]) is not None)


def person_names(text: str) -> list[str]:
    """The person names jieba's part-of-speech tagger sees in `text` ("nr"), a surname it cut
    off on its own joined to the word after it ("宋" + "俊杰")."""
    import jieba.posseg

    words = jieba.posseg.lcut(text)
    names: list[str] = []
    index = 0
    while index < len(words):
        word, flag = words[index].word, words[index].flag
        if flag.startswith("nr"):
            name = word
            while (index + 1 < len(words) and len(name) < 3 and len(words[index + 1].word) <= 2
                   and (words[index + 1].flag.startswith("nr") or len(name) == 1)):
                index += 1
                name += words[index].word
            names.append(name)
        index += 1
    return names


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


def refusal(mention: Mention, asker: Employee) -> str:
    """The one answer for every person the asker may not see, whether or not they exist, and
    whatever was asked about them (how a question is understood must not tell either)."""
    whose = "您本人和您直属下属" if asker.is_manager else "您本人"
    return (f"抱歉,出于隐私保护,我只能查询{whose}的人事信息,无法提供{mention.words}的相关信息。"
            "如确有工作需要,请联系人力资源部。")


def visible_match(found: Mapping[str, Any], mention: Mention) -> list[Mapping[str, Any]]:
    """The rows of an HRM employee search that are the person mentioned."""
    rows: list[Mapping[str, Any]] = [r for r in found.get("employees") or [] if isinstance(r, Mapping)]
    if mention.employee_id:
        return [r for r in rows if r.get("id") == mention.employee_id]
    return [r for r in rows if r.get("name") == mention.name]
