"""Who was at an account at a given moment: from the login records, and, where those are
missing, from the signatures agents left.

Login records are indexed per account and local day, so a lookup touches only the few
shifts of that day (and the day before, for a shift that runs past midnight). A login
without a logout counts until the end of its day: the agent forgot to log out, not to
leave.

Presence *implied* by signatures covers missing logins: when an agent signs a session on an
account they were not logged in to, they were there anyway. Signatures of the same agent on
the same account less than `cluster_gap` apart are taken as one unrecorded stint, which
counts as presence over its span and, fading, a little beyond it.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from hrbot.cs.records import Shift


@dataclass(frozen=True)
class ActiveShift:
    """A shift and where a moment falls relative to it (`distance` 0 = inside)."""

    shift: Shift
    distance: timedelta


class ShiftIndex:
    """Shifts by account and local day, for fast 'who was logged in at t' lookups."""

    def __init__(self, shifts: Iterable[Shift], zone: tzinfo) -> None:
        self._zone = zone
        self._by_day: dict[tuple[str, date], list[tuple[Shift, datetime]]] = defaultdict(list)
        for shift in shifts:
            day = shift.login.astimezone(zone).date()
            self._by_day[(shift.account_id, day)].append((shift, self._effective_logout(shift)))
        for rows in self._by_day.values():
            rows.sort(key=lambda row: (row[0].login, row[0].employee_id))

    def _effective_logout(self, shift: Shift) -> datetime:
        if shift.logout is not None:
            return shift.logout
        local = shift.login.astimezone(self._zone)
        return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=self._zone)

    def _rows_near(self, account_id: str, moment: datetime) -> list[tuple[Shift, datetime]]:
        day = moment.astimezone(self._zone).date()
        rows: list[tuple[Shift, datetime]] = []
        for offset in (-1, 0, 1):
            rows.extend(self._by_day.get((account_id, day + timedelta(days=offset)), ()))
        return rows

    def logged_in(self, account_id: str, moment: datetime) -> list[Shift]:
        """Shifts on `account_id` with login <= moment < logout, earliest login first."""
        return [
            shift for shift, logout in self._rows_near(account_id, moment) if shift.login <= moment < logout
        ]

    def near(self, account_id: str, moment: datetime, grace: timedelta) -> list[ActiveShift]:
        """Shifts that miss `moment` by less than `grace` (a login recorded late, a logout
        recorded early), with how far off they are."""
        found = []
        for shift, logout in self._rows_near(account_id, moment):
            if moment < shift.login:
                distance = shift.login - moment
            elif moment >= logout:
                distance = moment - logout
            else:
                continue
            if distance < grace:
                found.append(ActiveShift(shift, distance))
        return found

    def roster(self, account_id: str) -> list[Shift]:
        """Every shift ever recorded on `account_id` (for the last-resort roster estimate)."""
        return [
            shift for (account, _), rows in self._by_day.items() if account == account_id for shift, _ in rows
        ]


@dataclass(frozen=True)
class Stint:
    """An unrecorded stretch of work implied by one agent's signatures on one account."""

    account_id: str
    employee_id: str
    first: datetime
    last: datetime
    signatures: int


class ImpliedPresence:
    """Presence implied by signatures made without a matching login."""

    def __init__(
        self,
        signed: Iterable[tuple[str, str, datetime]],
        *,
        cluster_gap: timedelta = timedelta(minutes=90),
        fade: timedelta = timedelta(minutes=45),
        reach: timedelta = timedelta(hours=2),
    ) -> None:
        """`signed` holds (account id, employee id, moment) of each unlogged signature."""
        self._fade = fade.total_seconds()
        self._reach = reach
        moments: dict[tuple[str, str], list[datetime]] = defaultdict(list)
        for account_id, employee_id, moment in signed:
            moments[(account_id, employee_id)].append(moment)
        self._stints: dict[str, list[Stint]] = defaultdict(list)
        for (account_id, employee_id), times in moments.items():
            times.sort()
            first = last = times[0]
            count = 1
            for moment in times[1:]:
                if moment - last <= cluster_gap:
                    last, count = moment, count + 1
                    continue
                self._stints[account_id].append(Stint(account_id, employee_id, first, last, count))
                first = last = moment
                count = 1
            self._stints[account_id].append(Stint(account_id, employee_id, first, last, count))
        self._starts: dict[str, list[datetime]] = {}
        self._longest: dict[str, timedelta] = {}
        for account_id, stints in self._stints.items():
            stints.sort(key=lambda stint: stint.first)
            self._starts[account_id] = [stint.first for stint in stints]
            self._longest[account_id] = max(stint.last - stint.first for stint in stints)

    def weights(self, account_id: str, moment: datetime) -> dict[str, tuple[float, Stint]]:
        """Agents implied present on `account_id` at `moment`: weight 1 inside a stint,
        fading with distance outside it, nothing beyond `reach`."""
        stints = self._stints.get(account_id)
        if not stints:
            return {}
        starts = self._starts[account_id]
        lower = bisect.bisect_left(starts, moment - self._reach - self._longest[account_id])
        upper = bisect.bisect_right(starts, moment + self._reach)
        found: dict[str, tuple[float, Stint]] = {}
        for stint in stints[lower:upper]:
            if stint.last + self._reach < moment:
                continue
            if stint.first <= moment <= stint.last:
                distance = 0.0
            else:
                gap = stint.first - moment if moment < stint.first else moment - stint.last
                distance = gap.total_seconds()
            weight = math.exp(-distance / self._fade)
            if weight > found.get(stint.employee_id, (0.0, stint))[0]:
                found[stint.employee_id] = (weight, stint)
        return found
