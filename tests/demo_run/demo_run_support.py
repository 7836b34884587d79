"""What the tests of the running demo share: a client of the bot's REST channel, the demo company
read from its company.json, and the bot's ways of writing figures (money, days, dates, masked
identifiers), so that tests compute every expected figure from the data instead of copying it.

Imported by conftest.py and the test modules of tests/demo_run (pytest puts this folder on
sys.path, as it does for tests/)."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml

from hrbot_test_support import REFERENCE_TIME

TODAY = REFERENCE_TIME.date()
LAST_MONTH = "2026-10"  # the demo clock is frozen on 2026-11-21
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
JSON = dict[str, Any]


# --- the bot over REST -----------------------------------------------------------------------

@dataclass(frozen=True)
class DemoClient:
    """The running demo's bot, reached as the REST channel reaches it: `sender` is the employee id."""

    base_url: str
    project: Path

    def post(self, text: str, sender: str) -> list[JSON]:
        """The bot's messages in answer to `text` from `sender`."""
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(f"{self.base_url}/webhooks/rest/webhook", body,
                                         {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=20) as response:
            answer: list[JSON] = json.loads(response.read())
        return answer

    def say(self, text: str, sender: str) -> str:
        """The texts of the bot's answer, joined by newlines."""
        return "\n".join(str(m.get("text") or "") for m in self.post(text, sender))

    def restart(self, sender: str) -> None:
        """Starts the sender's conversation afresh (no slots, no active form), as `/restart` does."""
        self.post("/restart", sender)

    def events(self, sender: str) -> list[JSON]:
        url = f"{self.base_url}/conversations/{sender}/tracker"
        with urllib.request.urlopen(url, timeout=10) as response:
            events: list[JSON] = json.loads(response.read())["events"]
        return events

    def recent(self, sender: str, count: int = 12) -> list[str]:
        """The end of a conversation, compactly, to explain a failed expectation."""
        shown = []
        for event in self.events(sender)[-count:]:
            if event["event"] == "user":
                parse = event.get("parse_data", {})
                entities = [(e.get("entity"), e.get("value")) for e in parse.get("entities", [])]
                intent = (parse.get("intent") or {}).get("name")
                shown.append(f"user {event.get('text')!r} {intent} {entities}")
            elif event["event"] in ("action", "slot", "active_loop"):
                shown.append(f"{event['event']} {event.get('name') or ''} {event.get('value', '')}".strip())
        return shown

    def audit(self) -> list[JSON]:
        """The entries of the project's audit log (logs/audit.jsonl), oldest first."""
        path = self.project / "logs" / "audit.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- the company's data ----------------------------------------------------------------------

class Company:
    """company.json, with the look-ups the tests need."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.employees: dict[str, JSON] = {e["id"]: e for e in data["employees"]}

    @classmethod
    def load(cls, path: Path) -> Company:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def rows(self, table: str, employee_id: str, key: str = "employee_id") -> list[JSON]:
        return [r for r in self.data[table] if r.get(key) == employee_id]

    def employee(self, employee_id: str) -> JSON:
        return self.employees[employee_id]

    def name(self, employee_id: str) -> str:
        return str(self.employees[employee_id]["name"])

    def has_role(self, employee_id: str, role: str) -> bool:
        return role in self.employees[employee_id]["roles"]

    def is_hr(self, employee_id: str) -> bool:
        return self.has_role(employee_id, "hr_admin") or self.has_role(employee_id, "hr_agent")

    def reports(self, manager_id: str) -> list[str]:
        return [e["id"] for e in self.data["employees"] if e["manager_id"] == manager_id]

    def colleagues(self, employee_id: str) -> list[str]:
        """The others with the same direct manager."""
        manager = self.employees[employee_id]["manager_id"]
        return [e for e in self.reports(manager) if e != employee_id] if manager else []

    def known_names(self) -> set[str]:
        """Every person's name the company knows: employees and candidates."""
        people = [*self.data["employees"], *self.data["candidates"]]
        return {str(person["name"]) for person in people}

    def payslip(self, employee_id: str, month: str) -> JSON:
        return next(p for p in self.rows("payslips", employee_id) if p["month"] == month)

    def balance(self, employee_id: str, leave_type: str) -> JSON:
        return next(b for b in self.rows("leave_balances", employee_id) if b["leave_type"] == leave_type)


@dataclass(frozen=True)
class Handbook:
    """demo/handbook.md: the rules whose numbers the bot's answers use."""

    text: str

    @classmethod
    def load(cls, path: Path) -> Handbook:
        return cls(path.read_text(encoding="utf-8"))

    def section(self, number: str) -> str:
        """The text of a numbered clause ("2.5"), without its number."""
        line = next(line for line in self.text.splitlines() if line.startswith(f"{number} "))
        return line.removeprefix(f"{number} ").strip()

    def quote(self, number: str) -> str:
        """The clause as the bot quotes it."""
        return f"根据《员工手册》第{number}条:“{self.section(number)}”"

    def personal_leave_cap(self) -> float:
        """2.3: the days of personal leave a year."""
        return float(_number_in(self.section("2.3"), r"每年累计不超过(\d+)天"))

    def late_fee(self, times_late: int) -> float:
        """3.2: the month's deduction for being late `times_late` times."""
        clause = self.section("3.2")
        free = int(_number_in(clause, r"累计(\d+)次以内不扣款"))
        fee = float(_number_in(clause, r"每次扣款(\d+)元"))
        return max(0, times_late - free) * fee


def _number_in(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    assert match, f"the handbook no longer says {pattern!r}: {text}"
    return match.group(1)


# --- the bot's formats (as actions/replies.py writes them) -----------------------------------

def money(amount: float) -> str:
    """"23,702.87 元", "8,900 元" for whole amounts; rounded half up to the fen."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value == value.to_integral_value():
        return f"{int(value):,} 元"
    return f"{value:,.2f} 元"


def days(value: float) -> str:
    """"3天", "11.5天", "半天"."""
    if value == 0.5:
        return "半天"
    return f"{Decimal(str(value)).normalize():f}天"


def day_text(day: date | str, today: date | None = TODAY, *, padded: bool = False) -> str:
    """"11月10日(周二)"; with the year when it is not today's year (or today is None)."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    month, number = (f"{day.month:02d}", f"{day.day:02d}") if padded else (str(day.month), str(day.day))
    year = "" if today is not None and day.year == today.year else f"{day.year}年"
    return f"{year}{month}月{number}日({WEEKDAYS[day.weekday()]})"


def month_text(month: str, today: date | None = None) -> str:
    """"2026年10月" (pay replies name the year), "10月" with `today` in the same year."""
    year, number = int(month[:4]), int(month[5:7])
    return f"{number}月" if today is not None and year == today.year else f"{year}年{number}月"


def percent(ratio: float) -> str:
    """0.95 → "95%", 1.075 → "107.5%"."""
    return f"{(Decimal(str(ratio)) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP).normalize():f}%"


def full_years(start: date | str, today: date = TODAY) -> int:
    start = date.fromisoformat(start) if isinstance(start, str) else start
    return today.year - start.year - ((today.month, today.day) < (start.month, start.day))


# --- masking (as the demo backend masks, handbook 8.1) ---------------------------------------

def masked_id_card(number: str) -> str:
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def masked_bank_account(number: str) -> str:
    """As the bot shows every bank account, whoever asks: the last four digits."""
    return f"**** {number[-4:]}"


def masked_phone(number: str) -> str:
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


# --- what must never be shown to someone else ------------------------------------------------

PAY_FIELDS = ("base", "overtime_pay", "bonus", "allowance", "absence_deduction", "gross",
              "social_insurance", "housing_fund", "income_tax", "net")


def amount_spellings(value: float) -> set[str]:
    """Every way a reply could write the amount: 23,702.87 / 23702.87 / 1501.5 / 8,900 / 8900."""
    cents = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    spellings = {f"{cents:,.2f}", f"{cents:.2f}"}
    short = cents.normalize()
    spellings |= {f"{short:f}", f"{short:,f}"}
    if cents == cents.to_integral_value():
        spellings |= {f"{int(cents):,}", str(int(cents))}
    return spellings


def distinctive(value: float) -> bool:
    """Amounts that cannot turn up in a reply by coincidence: with fen, or of 1,000 元 or more
    (but not a whole number that reads as a year, like the 2026 of "2026年10月")."""
    if value != int(value):
        return True
    return value >= 1000 and not 1900 <= value <= 2100


def pay_amounts(company: Company, employee_id: str) -> set[float]:
    return {float(p[f]) for p in company.rows("payslips", employee_id) for f in PAY_FIELDS}


def forbidden_pay(company: Company, owner: str, asker: str) -> set[str]:
    """The spellings of every distinctive amount of `owner`'s payslips that the asker's own
    payslips do not share (those the asker may well be shown)."""
    own = pay_amounts(company, asker)
    return {s for v in pay_amounts(company, owner) - own if distinctive(v) for s in amount_spellings(v)}


def forbidden_identifiers(company: Company, owner: str) -> set[str]:
    """The owner's ID card, bank account and phone, whole, in parts that unmasking would reveal,
    and as the backend and the bot mask them (even a masked number is not for others)."""
    person = company.employee(owner)
    card, bank, phone = str(person["id_card"]), str(person["bank_account"]), str(person["phone"])
    return {card, card[6:14], bank, bank[4:-4], phone, phone[:7], phone[3:],
            masked_id_card(card), masked_bank_account(bank), f"**** {bank[-4:]}", masked_phone(phone)}


def unmasked_identifiers(company: Company, owner: str) -> set[str]:
    """The owner's identifiers in full or with their hidden middle: never shown in a chat (8.1)."""
    person = company.employee(owner)
    card, bank, phone = str(person["id_card"]), str(person["bank_account"]), str(person["phone"])
    return {card, card[6:14], bank, bank[4:-4], phone, phone[:7], phone[3:]}


def found(reply: str, spellings: Iterable[str]) -> list[str]:
    """The spellings that occur in the reply as whole numbers (not inside a longer number), in
    the text as is or with the spaces and dashes that group digits removed."""
    compact = re.sub(r"(?<=\d)[\s-]+(?=\d)", "", reply)
    hits = []
    for spelling in spellings:
        pattern = re.compile(rf"(?<![\d.,]){re.escape(spelling)}(?!\d|[.,]\d)")
        if pattern.search(reply) or pattern.search(compact):
            hits.append(spelling)
    return sorted(hits)


# --- comparing replies -----------------------------------------------------------------------

def response_variants(domain_path: Path) -> list[tuple[str, re.Pattern[str]]]:
    """Each text variant of the domain's responses that have several, as a pattern (slots
    filled with anything), so two replies that differ only by the variant picked compare equal."""
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8"))
    patterns = []
    for name, variants in (domain.get("responses") or {}).items():
        texts = [v["text"] for v in variants or [] if isinstance(v, dict) and v.get("text")]
        if len(texts) < 2:
            continue
        for text in texts:
            pattern = re.escape(text.strip())
            pattern = re.sub(r"\\\{\w+\\\}", ".*?", pattern)
            patterns.append((name, re.compile(pattern + r"\Z", re.DOTALL)))
    return patterns


def canonical(reply: str, names: Sequence[str], variants: Sequence[tuple[str, re.Pattern[str]]]) -> str:
    """The reply with the names asked about replaced by «某人» and a randomly picked response
    variant replaced by the response's name."""
    for name in sorted(names, key=len, reverse=True):
        reply = reply.replace(name, "«某人»")
    lines = []
    for line in reply.split("\n"):
        for response, pattern in variants:
            if pattern.match(line.strip()):
                line = f"<{response}>"
                break
        lines.append(line.strip())
    return "\n".join(lines)
