"""Attribute every session on a shared account to an agent.

The evidence, strongest first (handbook 7.2: "按登录记录与客服署名归属到个人"):

1. The signature in the first agent message. Whoever typed their nickname wrote the message,
   so a signature settles the session even when the login records disagree or are missing.
2. Who was logged in to the account when the session started. An agent who logged out
   before the first answer was sent is an unlikely author (weight 0.25), so a session that
   arrives at 14:59 and is answered at 15:01 goes mostly to whoever was there to answer (an
   overlapping colleague, or the one who logged in at 15:00); a session that merely runs on
   past a shift change stays with the agent who picked it up.
3. Where nobody was logged in: a login that starts just after the first answer, one that
   misses the start by a few minutes (records made late or early), and agents whose
   signatures on the same account nearby show they were working without a login record.
   Failing all that, the account's usual roster at that hour, with low confidence.
4. Several candidates and no signature: the tie-breaker (`hrbot.cs.tiebreak`; by default
   the learned style model) turns presence and habits into probabilities. When the best is
   below `split_below`, the credit is split by those probabilities instead of being given
   wholly to a guess, so the pool pays the expected value.

Every session in the data informs the learned model and the implied presence, whatever
period is asked for; only the period's sessions are returned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from hrbot.cs.attribution import Attribution, Evidence, rounded_shares
from hrbot.cs.nicknames import SignatureReader, SignatureReading
from hrbot.cs.period import Period
from hrbot.cs.presence import ImpliedPresence, ShiftIndex
from hrbot.cs.records import CsData, Session
from hrbot.cs.style import FeatureExtractor, SessionFeatures
from hrbot.cs.tiebreak import DEFAULT_TIE_BREAKER, Candidate, Labelled, OpenCase, TieBreaker, make_tie_breaker

Progress = Callable[[str], None]

# How far to trust a session decided by one candidate, by where that candidate came from.
CONFIDENCE_CAP = {
    "login": 0.97,
    "login_left_before_answer": 0.8,
    "login_after_start": 0.9,
    "login_nearby": 0.75,
    "signed_nearby": 0.8,
    "roster": 0.5,
}
LOGIN_SOURCES = ("login", "login_left_before_answer", "login_after_start")


@dataclass(frozen=True)
class AttributionOptions:
    """The engine's knobs; the defaults are the ones the benchmark measured."""

    tie_breaker: str = DEFAULT_TIE_BREAKER
    split_below: float = 0.8
    left_before_answer_weight: float = 0.25
    after_start_weight: float = 0.9
    login_grace: timedelta = timedelta(minutes=20)
    nearby_weight: float = 0.8
    implied_weight: float = 0.9
    roster_weight: float = 0.5
    use_implied_presence: bool = True


def _hhmm(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M") if moment is not None else "?"


class _Roster:
    """How often each agent is logged in to an account at each hour of the day."""

    def __init__(self, index: ShiftIndex, zone: tzinfo) -> None:
        self._index = index
        self._zone = zone
        self._cache: dict[str, dict[int, dict[str, float]]] = {}

    def weights(self, account_id: str, moment: datetime) -> dict[str, float]:
        if account_id not in self._cache:
            hours: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
            for shift in self._index.roster(account_id):
                end = shift.logout or shift.login + timedelta(hours=8)
                cursor = shift.login
                while cursor < end:
                    hours[cursor.astimezone(self._zone).hour][shift.employee_id] += 1.0
                    cursor += timedelta(hours=1)
            self._cache[account_id] = {h: dict(v) for h, v in hours.items()}
        counts = self._cache[account_id].get(moment.astimezone(self._zone).hour, {})
        total = sum(counts.values())
        return {agent: n / total for agent, n in counts.items()} if total else {}


class _Engine:
    def __init__(self, data: CsData, options: AttributionOptions, tie_breaker: TieBreaker) -> None:
        self.data = data
        self.options = options
        self.tie_breaker = tie_breaker
        self.zone = data.timezone
        self.reader = SignatureReader({a.employee_id: a.nicknames for a in data.agents.values()})
        self.index = ShiftIndex(data.shifts, data.timezone)
        self.roster = _Roster(self.index, data.timezone)
        self.extractor = FeatureExtractor(data.sessions)
        self.implied = ImpliedPresence(())

    # -- evidence -------------------------------------------------------------------------

    def candidates(self, session: Session) -> tuple[list[Candidate], list[Evidence]]:
        options, zone = self.options, self.zone
        found: dict[str, Candidate] = {}
        evidence: list[Evidence] = []

        def offer(candidate: Candidate) -> None:
            if candidate.weight > found.get(candidate.employee_id, Candidate("", 0.0, "")).weight:
                found[candidate.employee_id] = candidate

        answered = session.answered_at
        for shift in self.index.logged_in(session.account_id, session.start):
            span = f"{_hhmm(shift.login, zone)}-{_hhmm(shift.logout, zone)}"
            if shift.logout is not None and shift.logout <= answered:
                offer(
                    Candidate(
                        shift.employee_id,
                        options.left_before_answer_weight,
                        "login_left_before_answer",
                        shift.login,
                    )
                )
                evidence.append(
                    Evidence(
                        "login_left_before_answer",
                        f"logged in {span}, but out before the first answer at {_hhmm(answered, zone)}",
                        (shift.employee_id,),
                        options.left_before_answer_weight,
                    )
                )
            else:
                offer(Candidate(shift.employee_id, 1.0, "login", shift.login))
                evidence.append(
                    Evidence("login", f"logged in {span} when the session started", (shift.employee_id,), 1.0)
                )
        if all(c.source == "login_left_before_answer" for c in found.values()):
            # nobody there at the start stayed until the first answer: whoever logged in
            # in between is the likelier author
            for shift in self.index.logged_in(session.account_id, answered):
                if shift.employee_id in found or shift.login <= session.start:
                    continue
                offer(
                    Candidate(shift.employee_id, options.after_start_weight, "login_after_start", shift.login)
                )
                evidence.append(
                    Evidence(
                        "login_after_start",
                        f"logged in at {_hhmm(shift.login, zone)}, after the start and before "
                        "the first answer",
                        (shift.employee_id,),
                        options.after_start_weight,
                    )
                )
        if not found:
            evidence.append(
                Evidence(
                    "no_login",
                    f"nobody was logged in to {session.account_id} at "
                    f"{session.start.astimezone(zone):%Y-%m-%d %H:%M}",
                )
            )
            grace = options.login_grace.total_seconds()
            for near in self.index.near(session.account_id, session.start, options.login_grace):
                minutes = near.distance.total_seconds() / 60
                weight = options.nearby_weight * (1 - near.distance.total_seconds() / grace)
                offer(Candidate(near.shift.employee_id, weight, "login_nearby", near.shift.login))
                evidence.append(
                    Evidence(
                        "login_nearby",
                        f"login {_hhmm(near.shift.login, zone)}-{_hhmm(near.shift.logout, zone)} misses the "
                        f"start by {minutes:.0f} min (a record made late or early?)",
                        (near.shift.employee_id,),
                        weight,
                    )
                )
        if options.use_implied_presence:
            for agent, (strength, stint) in sorted(
                self.implied.weights(session.account_id, session.start).items()
            ):
                if agent in found and found[agent].source in LOGIN_SOURCES:
                    continue
                weight = options.implied_weight * strength
                offer(Candidate(agent, weight, "signed_nearby", None))
                evidence.append(
                    Evidence(
                        "signed_nearby",
                        f"signed {stint.signatures} session(s) on this account between "
                        f"{_hhmm(stint.first, zone)} and {_hhmm(stint.last, zone)} without a login record",
                        (agent,),
                        weight,
                    )
                )
        if not found:
            usual = self.roster.weights(session.account_id, session.start)
            for agent, share in usual.items():
                offer(Candidate(agent, options.roster_weight * share, "roster", None))
            if usual:
                ranked = sorted(usual, key=lambda a: (-usual[a], a))
                listed = ", ".join(f"{a} {usual[a]:.0%}" for a in ranked[:5])
                more = f" and {len(ranked) - 5} more" if len(ranked) > 5 else ""
                evidence.append(
                    Evidence(
                        "roster",
                        f"who is usually logged in to this account at "
                        f"{_hhmm(session.start, zone)[:2]}:00 (share of recorded hours): {listed}{more}",
                        tuple(ranked),
                        options.roster_weight,
                    )
                )
        ordered = sorted(found.values(), key=lambda c: (-c.weight, c.employee_id))
        return ordered, evidence

    # -- decisions ------------------------------------------------------------------------

    def signed(
        self,
        session: Session,
        reading: SignatureReading,
        candidates: list[Candidate],
        evidence: list[Evidence],
    ) -> Attribution:
        signer = reading.signers[0]
        match = reading.signatures[0]
        evidence.insert(
            0,
            Evidence(
                "signature",
                f"first agent message signed '{match.alias}' (nickname {match.nickname})",
                (signer,),
            ),
        )
        present = {c.employee_id: c for c in candidates}
        if signer in present and present[signer].source in LOGIN_SOURCES:
            confidence = 0.99
        elif any(c.source in LOGIN_SOURCES for c in candidates):
            confidence = 0.9
            evidence.append(
                Evidence(
                    "signature_over_login",
                    "the signer was not logged in; the signature is trusted over the login records",
                    (signer,),
                )
            )
        else:
            confidence = 0.95
        return Attribution(session.id, signer, confidence, "signature", tuple(evidence), {signer: 1.0})

    def single(self, session: Session, candidate: Candidate, evidence: list[Evidence]) -> Attribution:
        cap = CONFIDENCE_CAP[candidate.source]
        confidence = cap if candidate.source in LOGIN_SOURCES else min(cap, max(candidate.weight, 0.3))
        return Attribution(
            session.id,
            candidate.employee_id,
            confidence,
            candidate.source,
            tuple(evidence),
            {candidate.employee_id: 1.0},
        )

    def resolve(
        self, case: OpenCase, evidence: list[Evidence], method: str | None = None, cap: float = 1.0
    ) -> Attribution:
        posterior, reasons = self.tie_breaker.decide(case)
        if not posterior:
            posterior = {c.employee_id: 1.0 / len(case.candidates) for c in case.candidates}
        best = max(posterior, key=lambda a: (round(posterior[a], 9), -_login_rank(case, a)))
        sources = {c.employee_id: c.source for c in case.candidates}
        confidence = min(posterior[best], cap, CONFIDENCE_CAP.get(sources.get(best, "login"), 1.0))
        odds = ", ".join(f"{a} {p:.2f}" for a, p in sorted(posterior.items(), key=lambda kv: -kv[1]))
        evidence.append(
            Evidence(self.tie_breaker.name, f"{odds}; " + "; ".join(reasons), tuple(sorted(posterior)))
        )
        # below `split_below` the credit follows the probabilities instead of the guess
        shares = rounded_shares(posterior) if posterior[best] < self.options.split_below else {best: 1.0}
        return Attribution(
            case.session.id, best, confidence, method or self.tie_breaker.name, tuple(evidence), shares
        )

    def run(self, wanted: Sequence[Session], progress: Progress) -> dict[str, Attribution]:
        sessions = self.data.sessions
        progress(f"reading signatures and logins of {len(sessions)} sessions")
        readings = [self.reader.read(s.first_agent_message) for s in sessions]
        unlogged = []
        for session, reading in zip(sessions, readings, strict=True):
            if len(reading.signers) == 1:
                signer = reading.signers[0]
                logged = {
                    shift.employee_id for shift in self.index.logged_in(session.account_id, session.start)
                }
                if signer not in logged:
                    unlogged.append((session.account_id, signer, session.start))
        self.implied = ImpliedPresence(unlogged)

        wanted_ids = {s.id for s in wanted}
        anchors: list[Labelled] = []
        known_unsigned: list[tuple[SessionFeatures, str]] = []
        open_cases: list[tuple[OpenCase, list[Evidence], str | None]] = []
        results: dict[str, Attribution] = {}
        for session, reading in zip(sessions, readings, strict=True):
            decided, pending = self.first_pass(session, reading)
            if decided is not None:
                if decided.method in ("signature", "login") and decided.agent_id is not None:
                    features = self.extractor.features(session, reading)
                    anchors.append((features, {decided.agent_id: 1.0}))
                    if decided.method == "login" and not reading.mentions:
                        known_unsigned.append((features, decided.agent_id))
                if session.id in wanted_ids:
                    results[session.id] = decided
            elif pending is not None:
                open_cases.append(pending)
        progress(
            f"{len(anchors)} sessions settled by a signature or a single login; "
            f"{len(open_cases)} need the '{self.tie_breaker.name}' tie-breaker"
        )
        self.tie_breaker.prepare(anchors, [case for case, _, _ in open_cases], known_unsigned)
        for case, evidence, method in open_cases:
            if case.session.id in wanted_ids:
                cap = 0.99 if method == "signature" else 1.0
                results[case.session.id] = self.resolve(case, evidence, method, cap)
        return {s.id: results[s.id] for s in wanted}

    def first_pass(
        self, session: Session, reading: SignatureReading
    ) -> tuple[Attribution | None, tuple[OpenCase, list[Evidence], str | None] | None]:
        """Settle the session if the evidence does; otherwise describe the open case."""
        account = self.data.accounts.get(session.account_id)
        if account is not None and not account.shared and account.owner:
            evidence = [
                Evidence("account_owner", f"{account.id} is {account.owner}'s own account", (account.owner,))
            ]
            return Attribution(
                session.id, account.owner, 0.99, "account_owner", tuple(evidence), {account.owner: 1.0}
            ), None
        candidates, evidence = self.candidates(session)
        evidence.extend(
            Evidence(
                "mention",
                f"nickname '{m.alias}' mentioned, not as a signature; not used as evidence",
                m.employee_ids,
            )
            for m in reading.mentions
        )
        if len(reading.signers) == 1:
            return self.signed(session, reading, candidates, evidence), None
        features = self.extractor.features(session, reading)
        if len(reading.signers) > 1:
            # a nickname several agents share: presence decides among them
            present = {c.employee_id: c for c in candidates}
            among = tuple(present.get(a, Candidate(a, 0.1, "signature", None)) for a in reading.signers)
            evidence.insert(
                0,
                Evidence(
                    "signature",
                    f"signed with the nickname '{reading.signatures[0].alias}', which several agents use",
                    reading.signers,
                ),
            )
            return None, (OpenCase(session, features, among), evidence, "signature")
        if len(candidates) == 1:
            return self.single(session, candidates[0], evidence), None
        if not candidates:
            return Attribution(session.id, None, 0.0, "unattributed", tuple(evidence), {}), None
        return None, (OpenCase(session, features, tuple(candidates)), evidence, None)


def _login_rank(case: OpenCase, agent: str) -> int:
    """Position of `agent` when candidates are ordered by login, earliest first (no login
    record last): on an exact tie the agent on duty longest is named."""
    ordered = sorted(
        case.candidates,
        key=lambda c: (c.login is None, c.login.timestamp() if c.login else 0.0, c.employee_id),
    )
    for position, candidate in enumerate(ordered):
        if candidate.employee_id == agent:
            return position
    return len(ordered)


def attribute_sessions(
    data: CsData,
    *,
    period: Period | None = None,
    options: AttributionOptions | None = None,
    tie_breaker: TieBreaker | None = None,
    progress: Progress | None = None,
) -> dict[str, Attribution]:
    """One `Attribution` per session in `period` (every session when None), keyed by id,
    in the data's order. `tie_breaker` overrides `options.tie_breaker` (for experiments)."""
    options = options or AttributionOptions()
    breaker = tie_breaker if tie_breaker is not None else make_tie_breaker(options.tie_breaker)
    wanted = [s for s in data.sessions if period is None or period.contains(s.start, data.timezone)]
    return _Engine(data, options, breaker).run(wanted, progress or (lambda _: None))


def method_counts(attributions: Iterable[Attribution]) -> dict[str, int]:
    """How many sessions each method decided, most first."""
    counts: dict[str, int] = defaultdict(int)
    for item in attributions:
        counts[item.method] += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
