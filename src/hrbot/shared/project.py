"""Where a project's files are: config, data, domain, endpoints, credentials, models."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProjectPaths:
    """The standard layout of a Rasa-style project rooted at `root`."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config.yml"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def domain(self) -> Path:
        return self.root / "domain.yml"

    @property
    def endpoints(self) -> Path:
        return self.root / "endpoints.yml"

    @property
    def credentials(self) -> Path:
        return self.root / "credentials.yml"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def tests(self) -> Path:
        return self.root / "tests"


def default_cache_dir() -> Path:
    """Where rebuildable artefacts live: $HRBOT_CACHE_DIR, else $XDG_CACHE_HOME/hrbot."""
    import os

    explicit = os.environ.get("HRBOT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hrbot"
