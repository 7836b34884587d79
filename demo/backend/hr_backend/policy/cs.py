"""Customer-service sessions on shared accounts, attributed to agents (handbook 7.2).

A session on a shared account belongs to the agent logged in to that account when it started.
When two agents were logged in at once, the nickname the agent signed with ("我是客服小禾")
decides. A session that neither settles (several agents logged in, no signature) is left
unattributed rather than guessed; it counts as ``ambiguous`` for each candidate.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]

SIGNATURE = re.compile(r"我是客服([^\s,,。!!]+)")


@dataclass(frozen=True)
class Attribution:
    session_id: str
    employee_id: str | None
    basis: str  # "login", "signature" or "ambiguous"
    candidates: tuple[str, ...]


def attribute_sessions(
    sessions: Sequence[JSON], shifts: Sequence[JSON], nicknames: Sequence[JSON]
) -> dict[str, Attribution]:
    """Every session's agent, keyed by session id."""
    by_nickname = {str(row["nickname"]): str(row["employee_id"]) for row in nicknames}
    shifts_by_account: defaultdict[str, list[JSON]] = defaultdict(list)
    for shift in shifts:
        shifts_by_account[str(shift["account_id"])].append(shift)
    result = {}
    for session in sessions:
        start = str(session["start"])
        logged_in = tuple(
            str(s["employee_id"])
            for s in shifts_by_account[str(session["account_id"])]
            if str(s["login"]) <= start < str(s["logout"])
        )
        match = SIGNATURE.search(str(session.get("first_agent_message") or ""))
        signer = by_nickname.get(match.group(1)) if match else None
        if signer is not None:
            attribution = Attribution(str(session["id"]), signer, "signature", logged_in)
        elif len(logged_in) == 1:
            attribution = Attribution(str(session["id"]), logged_in[0], "login", logged_in)
        else:
            attribution = Attribution(str(session["id"]), None, "ambiguous", logged_in)
        result[attribution.session_id] = attribution
    return result


def session_stats(sessions: Sequence[JSON]) -> JSON:
    """The 7.2 measures: sessions handled, first response time, resolution rate, customer rating."""
    count = len(sessions)
    ratings = [float(s["rating"]) for s in sessions if s.get("rating") is not None]
    return {
        "sessions": count,
        "avg_first_response_seconds": round(
            sum(float(s["first_response_seconds"]) for s in sessions) / count, 1
        )
        if count
        else None,
        "resolution_rate": round(sum(1 for s in sessions if s.get("resolved")) / count, 3) if count else None,
        "avg_rating": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "rated_sessions": len(ratings),
    }


def sessions_of(
    employee_id: str, sessions: Sequence[JSON], attributions: Mapping[str, Attribution]
) -> list[JSON]:
    return [s for s in sessions if attributions[str(s["id"])].employee_id == employee_id]
