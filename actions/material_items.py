"""What a supply request message says: the item ("我想领两个显示器" → 显示器), how many (2), why
("键盘坏了,想换一个" → 键盘坏了), whether it asks about past requests rather than for something
new, and whether an answer means "no reason". The NLU has no entities for items or quantities,
so the material form reads them from the text here. Every function is pure.

Items are read after a request verb (领/要/申请/需要/换/配…) or, for "键盘坏了,想换一个", before a
state such as 坏了/丢了/没了; verbs, quantities, particles and purposes ("…,写代码用") are cut off.
A bare answer ("显示器") counts as an item only when the form asked for the item (`bare`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from actions.meeting_times import chinese_number

MEASURE_WORDS = ("个台支把盒包张本副套件只部块瓶卷袋箱根双对枚条组份令捆沓叠桶罐片顶面架册节")
_NUMBER = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+|半)"
_COUNTED = re.compile(rf"(?<![A-Za-z0-9.])(?P<n>{_NUMBER})\s*(?P<unit>[{MEASURE_WORDS}])")
_BARE_NUMBER = re.compile(rf"(?<![A-Za-z0-9.])(?P<n>{_NUMBER})(?![A-Za-z0-9.寸号米英位])")
_IMPLICIT_ONE = re.compile(r"(?<=[要领请配换买拿来])个(?=\S)")
"""「领个鼠标」「配个耳麦」: 个 without a number after a request verb means one."""
_SOME = re.compile(r"(?<=[要领请配换买拿来])(?:一)?(?:点儿?|些)")

_CLAUSE_SPLIT = re.compile(r"[,，。;；!！?？、\s]+")
_VERB = re.compile(
    r"申请领用|申请领取|申请更换|申请换|申请|申领|领用|领取|想要|需要|换成|改成|改为|更换|补办|提交|采购"
    r"|领|要|配|换|买|来(?=[一两个\d])"
)
_LEADING = re.compile(
    r"^(?:我们|我|帮我|给我|替我|麻烦|请|想要|想|再|还要|还|也|可以|能不能|可不可以|能|需要|要|申请|申领"
    r"|领用|领取|领|提交|更换|换成|换|补办|改成|改为|应该是|不对|不是|那就|就|还是|是|一下|新员工)+"
)
_TRAILING = re.compile(
    r"(?:的申请|申请单|申请|吧|吗|呢|啊|呀|哦|哈|了|的|一下|就行|就好|即可|可以|能|要|想|领|进度"
    r"|坏了|坏掉|丢了|没了|用完|太卡|不好用|没电|补办|换新|新)+$"
)
_PURPOSE = re.compile(r"用来|用于|拿来|来做|做|因为|由于|为了|给|写代码|开会|办公用")
_STATE = re.compile(r"坏了|坏掉了|丢了|没了|用完了|太卡了?|不好用|没电了|不能用|不亮了")
_REASON_MARK = re.compile(r"因为|由于|为了|入职|用来|用于|用的?$|做")
_REFUSAL = re.compile(r"^(?:不是|别)|不(?:要|领|用|需要|申请)|算了|取消")
"""A clause that refuses or negates ("算了不领了", "不要显示器了", "不是显示器") names no item."""
_QUESTION = re.compile(r"什么|哪|怎么|如何|多少|(?<!茶)几|是否|能否")
_ASKING_END = re.compile(r"(?:吗|么|呢|[?？])$")
_MODAL_END = re.compile(r"(?:能|可以|还能|能不能|可不可以|想|要)$")
_CORRECTION = re.compile(
    r"^(?:不对|不是|错了|搞错了|应该是|改|换|要|领|数量|就要|那就|还是)|改成|换成|改为|改一下"
)
_HAS_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")

GENERIC_ITEMS = frozenset({
    "物资", "物品", "东西", "办公用品", "用品", "设备", "办公设备", "it设备", "物料", "文具", "办公文具",
    "资产", "领用", "申请", "登记", "领用登记", "记录", "新的", "旧的", "耗材", "办公耗材",
    "一个", "这个", "那个", "这样",
})
"""Words that say a request is for supplies but not which: the form asks for the item."""
ONE_CHARACTER_ITEMS = frozenset("笔纸尺伞杯胶锁灯")
"""The only single characters taken as an item ("领两支笔"); any other ("用", "新") is a leftover."""

_RECORD_WORDS = re.compile(
    r"领过|领了(?:几|哪|什么|多少|吗|没)|领到了|记录|清单|名下|进度|到哪|批了|批没|审批(?:了|到|状态|结果)"
    r"|通过了|发了吗|发了没|发下来|到了吗|到了没|还没(?:发|到|批|下来)|什么时候(?:能|可以|会)?(?:发|到|批)"
    r"|状态|查(?:一下|下|询|看)|看看|哪些|申请的|领的|驳回"
)
_NO_REASON = re.compile(
    r"(?:没有?|无|不用|不需要|不必|没什么|没啥|暂无|不填|不写|跳过|略)"
    r"(?:了|特别的?|什么|填|写|说|事由|理由|原因)*[了吧啊的。.!！~～]*"
)
NO_REASON = "无"
"""The `material_reason` value for "没有/不用": asked once, answered with no reason."""


@dataclass(frozen=True)
class Quantity:
    """A quantity said in a message, and the words it was said with ("两个")."""

    value: float
    words: str


def quantity_in(text: str, *, bare: bool = False) -> Quantity | None:
    """How many the text asks for: "两个显示器" → 2, "3台" → 3, "领个鼠标" → 1, "50个" → 50,
    "1.5个" → 1.5 (the form refuses what is not 1-20 whole pieces). With `bare` (the form asked
    how many) a number without a measure word counts too ("3", "三")."""
    counted = _COUNTED.search(text)
    if counted is not None:
        value = _number(counted.group("n"))
        if value is not None:
            return Quantity(value, counted.group(0))
    implicit = _IMPLICIT_ONE.search(text)
    if implicit is not None:
        return Quantity(1.0, implicit.group(0))
    if bare:
        plain = _BARE_NUMBER.search(text)
        if plain is not None:
            value = _number(plain.group("n"))
            if value is not None:
                return Quantity(value, plain.group(0))
    return None


def _number(words: str) -> float | None:
    if words == "半":
        return 0.5
    if re.fullmatch(r"\d+\.\d+", words):
        return float(words)
    value = chinese_number(words)
    return float(value) if value is not None else None


def item_in(text: str, *, bare: bool = False, states: bool = True) -> str | None:
    """The item the text asks for, cleaned of verbs, quantities and particles: "我想领两个显示器"
    → 显示器, "帮我提交一个键鼠套装的申请" → 键鼠套装, "显示器能领两个吗" → 显示器. None when it
    names none, only a kind of supplies ("办公用品"), or refuses ("算了不领了", "不要显示器了").
    With `states`, "键盘坏了,想换一个" → 键盘 (off while the reason is asked: "旧的坏了" is a
    reason). With `bare` (the form asked for the item) a clause without a verb is the item
    ("27寸显示器")."""
    text = _COUNTED.sub("", text)
    text = _SOME.sub("", _IMPLICIT_ONE.sub("", text))
    clauses = [c for c in _CLAUSE_SPLIT.split(text)
               if c and not _REFUSAL.search(c) and not _QUESTION.search(c)]
    for clause in clauses:
        verb = _VERB.search(clause)
        if verb is None:
            continue
        found = _clean(clause[verb.end():])
        before = clause[:verb.start()]
        if found is None and _MODAL_END.search(before):  # "显示器能领吗"
            found = _clean(_MODAL_END.sub("", before))
        if found:
            return found
    for clause in clauses if states else ():
        state = _STATE.search(clause)
        found = _clean(clause[:state.start()]) if state is not None else None
        if found:
            return found
    for clause in clauses if bare else ():
        found = _clean(clause) if _VERB.search(clause) is None else None
        if found:
            return found
    return None


def _clean(words: str) -> str | None:
    """An item name from the words after a verb; None when nothing specific is left."""
    words = _LEADING.sub("", words.strip())
    purpose = _PURPOSE.search(words)
    if purpose is not None:
        words = words[:purpose.start()]
    words = _TRAILING.sub("", words).strip()
    if not _HAS_WORD.search(words) or words.lower() in GENERIC_ITEMS:
        return None
    if len(words) == 1 and words not in ONE_CHARACTER_ITEMS:
        return None
    return words


def reason_in(text: str) -> str | None:
    """Why the first message wants the item, when it says so: "键盘坏了,想换一个" → 键盘坏了,
    "帮我申请一个外接显示器,写代码用" → 写代码用, "想再要一个显示器做双屏" → 做双屏; None otherwise
    (the form then asks once)."""
    parts = []
    for clause in _CLAUSE_SPLIT.split(text):
        if not clause or _REFUSAL.search(clause) or _QUESTION.search(clause):
            continue
        verb = _VERB.search(clause)
        if verb is None:
            if _STATE.search(clause) or _REASON_MARK.search(clause):
                parts.append(clause)
            continue
        if _STATE.search(clause[:verb.start()]):  # "电脑太卡了申请换新的"
            parts.append(clause[:verb.start()])
        purpose = _PURPOSE.search(clause, verb.end())
        if purpose is not None:  # "…显示器做双屏"
            parts.append(clause[purpose.start():])
    return ",".join(parts) or None


def is_question(text: str) -> bool:
    """Whether the text asks something ("我年假还剩几天", "可以领几个?"): no answer to the form."""
    return bool(_QUESTION.search(text) or _ASKING_END.search(text.strip()))


def looks_like_correction(text: str) -> bool:
    """Whether an answer to a later question changes the request ("不对,要三个", "改成键盘",
    "要两个") rather than answering it ("新来了三个同事" is a reason, not a quantity)."""
    return bool(_CORRECTION.search(text.strip()))


def asks_about_records(text: str) -> bool:
    """Whether a material_request message asks about past requests ("我领过哪些办公用品",
    "我申请的显示器发了吗", "耳机申请批了没") rather than for something ("我想领一个显示器",
    "领用申请"); asking wins when both appear."""
    return bool(_RECORD_WORDS.search(text))


def means_no_reason(text: str) -> bool:
    """Whether an answer to "领用事由?" says there is none ("没有", "不用了", "无")."""
    return bool(_NO_REASON.fullmatch(text.strip()))
