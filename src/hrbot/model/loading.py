"""Loading a trained model archive into ready-to-run parts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hrbot.model.archive import read_metadata, unpacked
from hrbot.nlu.builtins import builtin_registry
from hrbot.nlu.pipeline import NLUPipeline
from hrbot.nlu.registry import ComponentRegistry
from hrbot.shared.errors import ModelError


@dataclass(frozen=True)
class LoadedModel:
    path: Path
    metadata: dict[str, Any]
    nlu: NLUPipeline

    @property
    def fingerprint(self) -> str:
        return str(self.metadata.get("fingerprint", {}).get("nlu", ""))


def load_model(path: Path, registry: ComponentRegistry | None = None) -> LoadedModel:
    with unpacked(path) as folder:
        metadata = read_metadata(folder)
        if not (folder / "nlu").is_dir():
            raise ModelError(f"model '{path}' has no NLU part; retrain with 'hrbot train'")
        nlu = NLUPipeline.load(folder / "nlu", registry or builtin_registry())
    return LoadedModel(path, metadata, nlu)
