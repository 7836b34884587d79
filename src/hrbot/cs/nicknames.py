"""Find the agent's signature (their nickname) in the first agent message.

Agents sign as they like: "我是客服小禾", "【小禾】为您服务", "客服 小 禾", "小禾~在的哦",
full-width letters, the traditional form "小樂" for 小乐, or the doubled "禾禾" for 小禾. The
text is therefore normalised (NFKC, lower case, common traditional characters folded to
simplified, everything that is not a letter or digit dropped) before nicknames are looked up.

A nickname found in a *signing phrase* (after 我是/客服/这里是, before 为您服务/很高兴/在线,
alone at the start or end, or in brackets) is a signature. One found elsewhere is only a
*mention*: "小满刚下线了,我来接待您" names a colleague, and 小满 is also a word (the solar
term), so a mention never decides a session on its own.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Traditional characters common in Chinese nicknames, folded to the simplified form agents'
# nicknames are registered with. Not a full converter: enough for the usual variants.
_TRADITIONAL = str.maketrans(
    "樂葉滿雲靜華龍鳳夢歡曉麗陽語雙靈寶貝嬌藍綠紅愛憶風涼輝穎瑩園萬東飛燈蘭連鷗鶯"
    "韻詩書誠偉傑倫瑤璐潔蓮艷娛銘鈺錦鋒鑫麥穗豐聰賢達順",
    "乐叶满云静华龙凤梦欢晓丽阳语双灵宝贝娇蓝绿红爱忆风凉辉颖莹园万东飞灯兰连鸥莺"
    "韵诗书诚伟杰伦瑶璐洁莲艳娱铭钰锦锋鑫麦穗丰聪贤达顺",
)
SIGN_PREFIXES = ("我是", "我叫", "客服", "这里是", "这边是", "本人", "工号", "您的客服")
SIGN_SUFFIXES = (
    "为您",
    "为你",
    "很高兴",
    "竭诚",
    "在线",
    "在的",
    "在呢",
    "在哦",
    "来啦",
    "来了",
    "接待",
    "随时",
    "在这",
    "号客服",
    "正在",
)
OPENING_BRACKETS = "【[「『《<(（〔"


def normalise(text: str) -> tuple[str, list[bool]]:
    """The letters and digits of `text`, folded, and for each kept character whether any
    other character (space, punctuation, emoji) came right before it in the original."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(_TRADITIONAL)
    kept: list[str] = []
    gap_before: list[bool] = []
    gap = True  # the start of the message counts as a boundary
    for char in folded:
        if unicodedata.category(char)[0] in "LN":
            kept.append(char)
            gap_before.append(gap)
            gap = False
        else:
            gap = True
    return "".join(kept), gap_before


def _bracketed_before(text: str) -> set[str]:
    """Nickname-sized runs that follow an opening bracket in `text` (already folded)."""
    found = set()
    folded = unicodedata.normalize("NFKC", text).lower().translate(_TRADITIONAL)
    for index, char in enumerate(folded):
        if char in OPENING_BRACKETS:
            run = "".join(c for c in folded[index + 1 : index + 12] if unicodedata.category(c)[0] in "LN")
            found.add(run)
    return found


@dataclass(frozen=True)
class NicknameMatch:
    """One nickname found in a message."""

    alias: str  # the normalised form found, e.g. "小禾" or "禾禾"
    nickname: str  # the registered nickname it stands for
    employee_ids: tuple[str, ...]  # more than one when agents share a nickname
    signed: bool  # in a signing phrase (True) or merely mentioned (False)


@dataclass(frozen=True)
class SignatureReading:
    """What the first agent message says about who wrote it."""

    signatures: tuple[NicknameMatch, ...]
    mentions: tuple[NicknameMatch, ...]

    @property
    def signers(self) -> tuple[str, ...]:
        """Every agent whose nickname appears in a signing phrase (usually exactly one)."""
        return tuple(sorted({e for match in self.signatures for e in match.employee_ids}))


@dataclass(frozen=True)
class _Alias:
    nickname: str
    employee_ids: tuple[str, ...]
    doubled: bool  # "禾禾" for 小禾: trusted only in a signing phrase


class SignatureReader:
    """Reads signatures with the nicknames of one company; build once, use for every session."""

    def __init__(self, nicknames: Mapping[str, Iterable[str]]) -> None:
        """`nicknames` maps employee id -> the nicknames they sign with."""
        owners: dict[str, set[str]] = {}
        registered: dict[str, str] = {}
        for employee_id, names in nicknames.items():
            for name in names:
                key, _ = normalise(name)
                if key:
                    owners.setdefault(key, set()).add(employee_id)
                    registered.setdefault(key, name)
        aliases: dict[str, _Alias] = {
            key: _Alias(registered[key], tuple(sorted(ids)), False) for key, ids in owners.items()
        }
        for key, ids in owners.items():
            if len(key) == 2 and key[0] in "小阿":
                doubled = key[1] * 2
                if doubled not in aliases:
                    aliases[doubled] = _Alias(registered[key], tuple(sorted(ids)), True)
        self._aliases = aliases
        self._lengths = sorted({len(key) for key in aliases}, reverse=True)

    def read(self, message: str) -> SignatureReading:
        text, gap_before = normalise(message)
        if not text or not self._aliases:
            return SignatureReading((), ())
        bracketed = _bracketed_before(message) if any(c in message for c in OPENING_BRACKETS) else set()
        signatures: list[NicknameMatch] = []
        mentions: list[NicknameMatch] = []
        index = 0
        while index < len(text):
            for length in self._lengths:
                key = text[index : index + length]
                alias = self._aliases.get(key) if len(key) == length else None
                if alias is None:
                    continue
                end = index + length
                signed = self._in_signing_phrase(text, gap_before, index, end, bracketed)
                if signed or not alias.doubled:
                    match = NicknameMatch(key, alias.nickname, alias.employee_ids, signed)
                    (signatures if signed else mentions).append(match)
                index = end - 1
                break
            index += 1
        return SignatureReading(tuple(signatures), tuple(mentions))

    @staticmethod
    def _in_signing_phrase(
        text: str, gap_before: list[bool], start: int, end: int, bracketed: set[str]
    ) -> bool:
        before = text[max(0, start - 5) : start]
        after = text[end : end + 4]
        if any(before.endswith(prefix) for prefix in SIGN_PREFIXES):
            return True
        if any(after.startswith(suffix) for suffix in SIGN_SUFFIXES):
            return True
        alone_after = end == len(text) or gap_before[end]
        alone_before = start == 0 or gap_before[start]
        if (start == 0 or end == len(text)) and alone_before and alone_after:
            return True
        return any(run.startswith(text[start:end]) for run in bracketed)
