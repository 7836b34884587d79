"""What a performance_query message wants when it is about a dispute (handbook 7.3), read from
its text: the contract has no intent of its own for disputes, so "我对绩效结果有异议",
"我的绩效申诉怎么样了" and "回复申诉 PD202600001:已复核" all arrive as `performance_query`.

    request_of("我要申诉绩效")                  -> "dispute"
    request_of("我的绩效申诉怎么样了")          -> "dispute_status"
    request_of("回复申诉 PD202600001:已复核")   -> "dispute_reply"
    request_of("我上季度绩效多少分")            -> "query"

Pure functions, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUERY, DISPUTE, DISPUTE_STATUS, DISPUTE_REPLY = "query", "dispute", "dispute_status", "dispute_reply"
REQUESTS = (QUERY, DISPUTE, DISPUTE_STATUS, DISPUTE_REPLY)
"""The values of the `performance_request` slot the rules branch on."""

DISPUTE_ID = re.compile(r"PD\d{9}", re.IGNORECASE)
_REPLY = re.compile(r"^\s*(?:请|帮我|我来|我要)?(?:回复|答复)[^,,。]{0,12}?(?:申诉|异议|PD\d)", re.IGNORECASE)
_REPLY_AFTER_ID = re.compile(r"PD\d{9}\s*(?:的)?(?:回复|答复)\s*[::]", re.IGNORECASE)
_STATUS = re.compile(
    r"(?:申诉|异议|复核)[^,,。!?!?]{0,10}?(?:怎么样|怎样|如何|进度|进展|状态|结果了?[吗没]|有结果|到哪|处理|"
    r"回复|答复|批了|通过|有消息|下文)"
    r"|(?:查|看)(?:一下|看|看看)?(?:我的)?(?:绩效)?(?:申诉|异议)"
    r"|我(?:的|提交的|提的)(?:绩效)?(?:申诉|异议)(?:\s*$|[?？呢吗了])"
    r"|(?:待我|需要我|要我|给我的|我收到的|收到的|找我的|交给我的)[^,,。]{0,6}(?:申诉|异议)"
    r"|(?:有人|谁)[^,,。]{0,4}(?:申诉|提异议|提了异议)"
    r"|申诉(?:记录|状态|进度|情况)"
)
_DISPUTE = re.compile(r"申诉|异议|复核|复议")
_DISAGREE = re.compile(r"不服|不认可|不同意|不公平|不合理|有意见|不满意|不公正|有问题")
_RESULT = re.compile(r"绩效|考核|评分|打分|结果|等级|分数|评级|评价")
_REASON = re.compile(r"(?:因为|由于|原因是|理由是|理由[::]|原因[::]|我觉得|我认为)\s*(.+)$")
_TRAILING = "。.!!~～ "
_LATEST = re.compile(r"最近|最新|这次|这一期|本期|刚公布|刚出|刚发")


def request_of(text: str) -> str:
    """What a performance message wants: to reply to a dispute (reviewers), to know how disputes
    stand, to file one, or (anything else) to know the figures."""
    if _REPLY.search(text) or _REPLY_AFTER_ID.search(text):
        return DISPUTE_REPLY
    if _STATUS.search(text):
        return DISPUTE_STATUS
    if _DISPUTE.search(text) or (_DISAGREE.search(text) and _RESULT.search(text)):
        return DISPUTE
    return QUERY


def reason_in(text: str) -> str | None:
    """The reason a dispute message gives along the way ("…有异议,因为OKR漏算了项目"), or None."""
    match = _REASON.search(text)
    if match is None:
        return None
    reason = match.group(1).strip().rstrip(_TRAILING)
    return reason or None


def means_latest(text: str) -> bool:
    """"最近这次", "刚公布的那期": the latest result, whatever its period."""
    return _LATEST.search(text) is not None


@dataclass(frozen=True)
class ReplyRequest:
    """A reviewer's reply as written in chat: the dispute's id (None if not given) and the text."""

    dispute_id: str | None
    text: str


def reply_in(text: str) -> ReplyRequest:
    """"回复申诉 PD202600001:已复核,维持原评分" -> (PD202600001, "已复核,维持原评分"). The reply is
    what follows the first colon, else what follows the id; empty when there is none."""
    found = DISPUTE_ID.search(text)
    dispute_id = found.group(0).upper() if found else None
    colon = re.search(r"[::]", text)
    if colon is not None:
        body = text[colon.end():]
    elif found is not None:
        body = text[found.end():]
    else:
        body = ""
    if found is not None and colon is not None and found.start() >= colon.end():
        body = body.replace(found.group(0), "", 1)
    return ReplyRequest(dispute_id, re.sub(r"^[\s,,]+|[\s,,]+$", "", body))
