"""Constructed customer-service data with known answers, for tests and the benchmark.

The generator plays out a team: each weekday every shared account has a morning agent
(09-15) and an afternoon agent (15-21), on some days a helper (14-16) overlapping both;
agents may be on several accounts at once, as in the demo. Customers arrive at a steady rate
per account; whoever is on shift picks each one up, an agent about to leave before they
could answer only rarely (weight 0.25). Then the records are written as the real ones are:
some logins never recorded or recorded a few minutes off, signatures in many spellings, a
colleague's nickname in an unsigned greeting.

`style_strength` sets how much agents differ in habits: 0 makes them interchangeable (the
demo data is like this: same greetings, response times and signing rate for everyone), 1
gives each a clear signing rate, favourite greetings, answer speed and verbosity. The truth
is returned with per-session tags so accuracy can be broken down by situation.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")
NICKNAMES = (
    "小雨",
    "小美",
    "小安",
    "小乐",
    "小青",
    "小暖",
    "小星",
    "小橙",
    "小鹿",
    "小叶",
    "小禾",
    "小满",
    "小云",
    "小月",
    "小静",
    "小华",
    "小龙",
    "小凤",
    "小梦",
    "小欢",
    "小晴",
    "小溪",
    "小桃",
    "小可",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("婉清", "超", "子涵", "欣怡", "浩然", "雨桐", "俊杰", "诗琪", "宇航", "梓萱", "明轩", "佳怡")
TRADITIONAL = {
    "乐": "樂",
    "满": "滿",
    "叶": "葉",
    "云": "雲",
    "静": "靜",
    "华": "華",
    "龙": "龍",
    "凤": "鳳",
    "梦": "夢",
    "欢": "歡",
}
SIGNATURE = "您好,我是客服{n},很高兴为您服务"
SIGNATURE_VARIANTS = (
    "亲,我是{n}~有什么可以帮您",
    "【{n}】为您服务,请问有什么问题",
    "您好，客服 {n} 很高兴为您服务",
    "{n}在线,亲请讲",
    "您好~这里是{n}呀",
    "我是客服{spaced}",
    "您好,我是客服{trad}",
    "{doubled}为您服务哦",
    "您好,请问有什么可以帮您 --{n}",
    "ＨＩ,我是客服{n}!",
)
GREETINGS = (
    "您好,请问有什么可以帮您",
    "亲,在的哦",
    "您好",
    "在的亲,请问有什么可以帮到您",
    "欢迎光临,请问需要什么帮助",
    "亲亲,您好呀",
)
MENTION = "{greeting},{other}刚刚下线了,我来继续为您服务"
SHIFTS = {"morning": (time(9), time(15)), "afternoon": (time(15), time(21)), "helper": (time(14), time(16))}


@dataclass(frozen=True)
class Scenario:
    """What to construct. Rates are per shift (records) or per session (messages)."""

    name: str = "demo_like"
    seed: int = 7
    first_day: date = date(2027, 3, 1)
    days: int = 30
    accounts: int = 3
    agents: int = 12
    sessions_per_hour: float = 0.8
    helper_rate: float = 0.4
    signature_rate: float = 0.55
    style_strength: float = 0.0
    variation_rate: float = 0.0
    mention_rate: float = 0.0
    missing_login_rate: float = 0.0
    sloppy_record_rate: float = 0.0
    shared_nickname: bool = False


PRESETS: dict[str, Scenario] = {
    "demo_like": Scenario(),
    "habits": Scenario(name="habits", style_strength=0.5),
    "strong_habits": Scenario(name="strong_habits", style_strength=1.0),
    "variants": Scenario(name="variants", variation_rate=0.6, mention_rate=0.1, style_strength=0.5),
    "missing_logins": Scenario(name="missing_logins", missing_login_rate=0.15, style_strength=0.5),
    "sloppy_logins": Scenario(name="sloppy_logins", sloppy_record_rate=0.4, style_strength=0.5),
    "shared_nickname": Scenario(name="shared_nickname", shared_nickname=True, style_strength=0.5),
    "everything": Scenario(
        name="everything",
        style_strength=0.5,
        variation_rate=0.4,
        mention_rate=0.05,
        missing_login_rate=0.1,
        sloppy_record_rate=0.2,
        shared_nickname=True,
    ),
}


@dataclass(frozen=True)
class ConstructedData:
    """A company.json-shaped dict, the true agent of every session and its tags."""

    scenario: Scenario
    company: dict[str, Any]
    truth: dict[str, str]
    tags: dict[str, tuple[str, ...]]

    def situation(self, session_id: str) -> str:
        """The one situation a session is counted under, hardest evidence first."""
        tags = self.tags[session_id]
        for name in ("signed", "missing_login", "sloppy_login", "overlap", "shift_change"):
            if name in tags:
                return name
        return "single"


@dataclass(frozen=True)
class _Style:
    sign: float
    greetings: tuple[float, ...]
    response_median: float
    messages_mean: float
    resolve: float


@dataclass(frozen=True)
class _TrueShift:
    account: str
    agent: str
    kind: str
    login: datetime
    logout: datetime
    recorded: bool
    recorded_login: datetime
    recorded_logout: datetime


def _styles(rng: random.Random, scenario: Scenario, agents: list[str]) -> dict[str, _Style]:
    s = scenario.style_strength
    styles = {}
    for agent in agents:
        raw = [rng.gammavariate(0.5, 1.0) for _ in GREETINGS]
        total = sum(raw) or 1.0
        greetings = tuple((1 - s) / len(GREETINGS) + s * r / total for r in raw)
        styles[agent] = _Style(
            sign=min(0.98, max(0.02, (1 - s) * scenario.signature_rate + s * rng.uniform(0.1, 0.95))),
            greetings=greetings,
            response_median=math.exp(rng.uniform(math.log(15), math.log(150))),
            messages_mean=rng.uniform(8, 35),
            resolve=min(0.99, 0.87 + s * rng.uniform(-0.08, 0.08)),
        )
    return styles


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZONE)


def _variant(template: str, nickname: str) -> str:
    doubled = nickname[1] * 2 if len(nickname) == 2 and nickname[0] == "小" else nickname
    trad = "".join(TRADITIONAL.get(c, c) for c in nickname)
    return template.format(n=nickname, spaced=" ".join(nickname), trad=trad, doubled=doubled)


def generate(scenario: Scenario) -> ConstructedData:
    """Play out `scenario`; the same scenario (seed included) always gives the same data."""
    rng = random.Random(scenario.seed)
    agents = [f"S{n:03d}" for n in range(1, scenario.agents + 1)]
    nicknames = {
        a: NICKNAMES[i % len(NICKNAMES)] + (str(i // len(NICKNAMES) + 1) if i >= len(NICKNAMES) else "")
        for i, a in enumerate(agents)
    }
    if scenario.shared_nickname and len(agents) > 1:
        nicknames[agents[1]] = nicknames[agents[0]]
    styles = _styles(rng, scenario, agents)
    accounts = [f"acct_{n:02d}" for n in range(1, scenario.accounts + 1)]

    true_shifts: list[_TrueShift] = []
    shift_rows: list[dict[str, Any]] = []
    session_rows: list[dict[str, Any]] = []
    truth: dict[str, str] = {}
    tags: dict[str, tuple[str, ...]] = {}
    day = scenario.first_day
    for _ in range(scenario.days):
        if day.weekday() < 5:
            for account in accounts:
                todays = _day_shifts(rng, scenario, account, day, agents)
                true_shifts.extend(todays)
                shift_rows.extend(_shift_row(s) for s in todays if s.recorded)
                _day_sessions(
                    rng, scenario, account, day, todays, styles, nicknames, agents, session_rows, truth, tags
                )
        day += timedelta(days=1)

    company = {
        "company": {"name": f"constructed:{scenario.name}", "timezone": "Asia/Shanghai"},
        "employees": [{"id": a, "name": rng.choice(SURNAMES) + rng.choice(GIVEN)} for a in agents],
        "cs_accounts": [{"id": a, "platform": "jd", "label": f"共享账号{a[-2:]}"} for a in accounts],
        "cs_agent_nicknames": [{"employee_id": a, "nickname": nicknames[a]} for a in agents],
        "cs_account_shifts": shift_rows,
        "cs_sessions": session_rows,
    }
    return ConstructedData(scenario, company, truth, tags)


def _day_shifts(
    rng: random.Random, scenario: Scenario, account: str, day: date, agents: list[str]
) -> list[_TrueShift]:
    kinds = ["morning", "afternoon"] + (["helper"] if rng.random() < scenario.helper_rate else [])
    people = rng.sample(agents, len(kinds))
    shifts = []
    for kind, agent in zip(kinds, people, strict=True):
        login, logout = (_at(day, t) for t in SHIFTS[kind])
        recorded = rng.random() >= scenario.missing_login_rate
        recorded_login, recorded_logout = login, logout
        if rng.random() < scenario.sloppy_record_rate:
            off = timedelta(minutes=rng.randint(2, 15))
            if rng.random() < 0.5:
                recorded_login = login + off
            else:
                recorded_logout = logout - off
        shifts.append(
            _TrueShift(account, agent, kind, login, logout, recorded, recorded_login, recorded_logout)
        )
    return shifts


def _shift_row(shift: _TrueShift) -> dict[str, Any]:
    return {
        "account_id": shift.account,
        "employee_id": shift.agent,
        "date": shift.login.date().isoformat(),
        "login": shift.recorded_login.isoformat(),
        "logout": shift.recorded_logout.isoformat(),
    }


def _day_sessions(
    rng: random.Random,
    scenario: Scenario,
    account: str,
    day: date,
    shifts: list[_TrueShift],
    styles: dict[str, _Style],
    nicknames: dict[str, str],
    agents: list[str],
    rows: list[dict[str, Any]],
    truth: dict[str, str],
    tags: dict[str, tuple[str, ...]],
) -> None:
    s = scenario.style_strength
    moment = _at(day, time(9))
    close = _at(day, time(21))
    while True:
        moment += timedelta(hours=rng.expovariate(scenario.sessions_per_hour))
        if moment >= close:
            return
        start = moment.replace(second=0, microsecond=0)
        on = [sh for sh in shifts if sh.login <= start < sh.logout]
        # the response time depends on who answers, so draw it per candidate; an agent about
        # to leave rarely takes a new customer, and one arriving within the answer time may
        offers = {}
        for shift in shifts:
            style = styles[shift.agent]
            spread = rng.uniform(5, 180)
            habit = min(600.0, max(3.0, style.response_median * math.exp(rng.gauss(0, 0.4))))
            response = round((1 - s) * spread + s * habit)
            answered = start + timedelta(seconds=response)
            if shift in on:
                offers[shift.agent] = (1.0 if answered < shift.logout else 0.25, response, shift)
            elif start < shift.login <= answered and all(answered >= sh.logout for sh in on):
                offers[shift.agent] = (0.9, response, shift)
        if not offers:
            continue
        names = sorted(offers)
        agent = rng.choices(names, weights=[offers[a][0] for a in names])[0]
        _, response, shift = offers[agent]
        style = styles[agent]
        session_id = f"T{len(rows) + 1:06d}"
        message, message_tags = _first_message(rng, scenario, agent, style, nicknames, agents)
        messages = round(
            (1 - s) * rng.uniform(4, 40) + s * min(80.0, max(2.0, rng.gauss(style.messages_mean, 5)))
        )
        end = start + timedelta(minutes=rng.randint(3, 25))
        rows.append(
            {
                "id": session_id,
                "account_id": account,
                "platform": "jd",
                "start": start.isoformat(),
                "end": end.isoformat(),
                "messages": int(messages),
                "first_response_seconds": int(response),
                "resolved": rng.random() < style.resolve,
                "rating": rng.choice((None, 1, 2, 3, 4, 4, 5, 5, 5, 5)),
                "first_agent_message": message,
            }
        )
        truth[session_id] = agent
        situation = list(message_tags)
        if len(on) > 1:
            situation.append("overlap")
        if end > shift.logout or any(
            abs((start - t).total_seconds()) < 300 for sh in shifts for t in (sh.login, sh.logout)
        ):
            situation.append("shift_change")
        if not shift.recorded:
            situation.append("missing_login")
        elif not shift.recorded_login <= start < shift.recorded_logout:
            situation.append("sloppy_login")
        if scenario.shared_nickname and nicknames[agent] in (nicknames[agents[0]],) and len(agents) > 1:
            situation.append("shared_nickname")
        tags[session_id] = tuple(situation)


def _first_message(
    rng: random.Random,
    scenario: Scenario,
    agent: str,
    style: _Style,
    nicknames: dict[str, str],
    agents: list[str],
) -> tuple[str, tuple[str, ...]]:
    if rng.random() < style.sign:
        if rng.random() < scenario.variation_rate:
            return _variant(rng.choice(SIGNATURE_VARIANTS), nicknames[agent]), ("signed", "variant")
        return SIGNATURE.format(n=nicknames[agent]), ("signed",)
    greeting = rng.choices(GREETINGS, weights=style.greetings)[0]
    if rng.random() < scenario.mention_rate:
        other = rng.choice([a for a in agents if nicknames[a] != nicknames[agent]] or agents)
        return MENTION.format(greeting=greeting, other=nicknames[other]), ("mention",)
    return greeting, ()


def year_scenario(base: Scenario, *, first_day: date = date(2027, 1, 1)) -> Scenario:
    """`base` stretched over a calendar year (weekdays only, like the demo)."""
    return replace(base, name=f"{base.name}_year", first_day=first_day, days=365)
