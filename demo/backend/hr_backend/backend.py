"""The running backend's state, built once at start-up and handed to the app: no globals."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from hr_backend.clock import reference_now
from hr_backend.data.dataset import Dataset, load_dataset
from hr_backend.data.state import CompanyState
from hr_backend.data.store import Store, Transaction
from hr_backend.policy.cs import Attribution, attribute_sessions
from hr_backend.settings import Settings, Tokens


@dataclass(frozen=True)
class Backend:
    """company.json, the database of writes, the tokens and the clock."""

    dataset: Dataset
    store: Store
    tokens: Tokens
    now: datetime
    cs_attributions: Mapping[str, Attribution]

    def state(self) -> CompanyState:
        """company.json merged with the writes, as of this moment."""
        return CompanyState(self.dataset, self.store)

    @contextmanager
    def writing(self) -> Iterator[tuple[Transaction, CompanyState]]:
        """A write transaction and the state it sees: checks and writes inside it are atomic."""
        with self.store.transaction(self.now) as transaction:
            yield transaction, CompanyState(self.dataset, transaction)

    def close(self) -> None:
        self.store.close()


def open_backend(settings: Settings, dataset: Dataset | None = None, *, reset: bool = False) -> Backend:
    """Load the data (unless given), open the database and fix the clock.

    ``reset=True`` drops every write first, restoring company.json's state.
    """
    data = dataset if dataset is not None else load_dataset(settings.data_path)
    store = Store(settings.db_path)
    if reset:
        store.reset()
    now = settings.now if settings.now is not None else reference_now(data.reference_date)
    attributions = attribute_sessions(
        data.rows("cs_sessions"), data.rows("cs_account_shifts"), data.rows("cs_agent_nicknames")
    )
    return Backend(dataset=data, store=store, tokens=settings.tokens, now=now, cs_attributions=attributions)
