"""Fixtures for the HR bot's own custom actions (the repository's root package `actions/`):
the repository root on sys.path so `import actions` works, one private jieba tokenizer for the
session (its cache in a temporary folder, jieba's global tokenizer untouched) and the demo
company's handbook index built with it."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
if str(REPOSITORY_ROOT) not in sys.path:
    sys.path.insert(0, str(REPOSITORY_ROOT))

DEMO_HANDBOOK = REPOSITORY_ROOT / "demo" / "handbook.md"


@pytest.fixture(scope="session")
def jieba_segment(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Iterable[str]]:
    """`lcut` of a jieba tokenizer of our own with the default dictionary, loaded once."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(tmp_path_factory.mktemp("jieba-handbook"))
    tokenizer.initialize()
    segment: Callable[[str], Iterable[str]] = tokenizer.lcut
    return segment


@pytest.fixture(scope="session")
def demo_handbook_path() -> Path:
    """The demo company's handbook (demo/handbook.md)."""
    return DEMO_HANDBOOK


@pytest.fixture(scope="session")
def demo_handbook_index(jieba_segment: Callable[[str], Iterable[str]]) -> Any:
    """The demo company's handbook, indexed once for the session."""
    from actions.handbook import HandbookIndex

    return HandbookIndex.from_file(DEMO_HANDBOOK, segment=jieba_segment)
