"""Loading a trained model archive into ready-to-run parts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrbot.model.archive import read_metadata, unpacked
from hrbot.nlu.builtins import builtin_registry
from hrbot.nlu.pipeline import NLUPipeline
from hrbot.nlu.registry import ComponentRegistry
from hrbot.shared.core.domain import Domain, load_domain
from hrbot.shared.errors import InvalidProjectError, ModelError

if TYPE_CHECKING:
    from hrbot.dialogue.policies.ensemble import PolicyEnsemble


@dataclass(frozen=True)
class DialogueModel:
    """The trained dialogue part: the domain it was trained with and its policies."""

    domain: Domain
    policies: PolicyEnsemble


@dataclass(frozen=True)
class LoadedModel:
    path: Path
    metadata: dict[str, Any]
    nlu: NLUPipeline
    dialogue: DialogueModel | None = None

    @property
    def fingerprint(self) -> str:
        found = self.metadata.get("fingerprint", {})
        if set(found) == {"nlu"}:
            return str(found["nlu"])
        return "-".join(str(found[key])[:16] for key in sorted(found))


def load_model(path: Path, registry: ComponentRegistry | None = None) -> LoadedModel:
    with unpacked(path) as folder:
        metadata = read_metadata(folder)
        if not (folder / "nlu").is_dir():
            raise ModelError(f"model '{path}' has no NLU part; retrain with 'hrbot train'")
        nlu = NLUPipeline.load(folder / "nlu", registry or builtin_registry())
        dialogue = _load_dialogue(folder / "core", path) if (folder / "core").is_dir() else None
    return LoadedModel(path, metadata, nlu, dialogue)


def _load_dialogue(folder: Path, archive: Path) -> DialogueModel:
    from hrbot.dialogue.policies.ensemble import PolicyEnsemble

    try:
        domain = load_domain(folder / "domain")
    except InvalidProjectError as error:
        raise ModelError(
            f"model '{archive}' holds a domain this hrbot cannot read ({error}); retrain with 'hrbot train'"
        ) from None
    return DialogueModel(domain, PolicyEnsemble.load(folder / "policies"))
