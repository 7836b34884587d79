"""All command-line output goes through one Terminal, so tests can capture it."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Terminal:
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    def print(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def info(self, text: str) -> None:
        self.err.write(text + "\n")
        self.err.flush()

    def progress(self, text: str) -> None:
        self.info(f"  {text}")

    def error(self, text: str) -> None:
        self.err.write(f"error: {text}\n")
        self.err.flush()
