"""The training entry point: read the project, check it, train, write an archive."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hrbot import __version__
from hrbot.model.archive import (
    METADATA_FILE,
    archive_metadata,
    archive_name,
    latest_archive,
    unpacked,
    utc_now,
    write_archive,
)
from hrbot.model.dialogue_inputs import DialogueTrainingInputs, read_dialogue_inputs
from hrbot.nlu.builtins import builtin_registry
from hrbot.nlu.component import TrainContext
from hrbot.nlu.components.tokenizers import user_dictionary_files
from hrbot.nlu.pipeline import NLUPipeline
from hrbot.nlu.pipeline_config import ResolvedPipeline, resolve_project_pipeline
from hrbot.nlu.registry import ComponentRegistry
from hrbot.shared.config import ProjectConfig, read_config
from hrbot.shared.core.domain import domain_files
from hrbot.shared.errors import InvalidProjectError, ModelError
from hrbot.shared.nlu.rasa_yaml import load_nlu_data
from hrbot.shared.nlu.training_data import TrainingData
from hrbot.shared.problems import Location, Problem

ProgressCallback = Callable[[str], None]


def code_fingerprint() -> str:
    """A hash of hrbot's own source, so that a changed component retrains unchanged data."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class NLUTrainingInputs:
    """Everything NLU training reads, checked and ready."""

    config: ProjectConfig
    pipeline: ResolvedPipeline
    data: TrainingData
    project_dir: Path

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        digest.update(__version__.encode())
        digest.update(code_fingerprint().encode())
        digest.update(json.dumps(self.pipeline.to_config(), sort_keys=True, default=str).encode())
        digest.update(self.config.language.encode())
        digest.update(self.data.fingerprint().encode())
        for step in self.pipeline.steps:
            if "dictionary_path" in step.options:
                for file in user_dictionary_files(step.options["dictionary_path"], self.project_dir):
                    digest.update(file.read_bytes())
        return digest.hexdigest()


@dataclass(frozen=True)
class TrainResult:
    model: Path
    skipped: bool
    fingerprint: str


def read_nlu_inputs(
    project_dir: Path,
    *,
    config_path: Path | None = None,
    data_paths: list[Path] | None = None,
    registry: ComponentRegistry | None = None,
) -> NLUTrainingInputs:
    """Read config and data; every problem in either is reported together."""
    problems: list[Problem] = []
    config_file = config_path or project_dir / "config.yml"
    config = ProjectConfig()
    pipeline: ResolvedPipeline | None = None
    error_type: type[InvalidProjectError] = InvalidProjectError
    try:
        config = read_config(config_file) if config_file.exists() else ProjectConfig()
        pipeline = resolve_project_pipeline(config, registry or builtin_registry())
    except InvalidProjectError as error:
        problems.extend(error.problems)
        error_type = type(error)  # UnknownComponentError stays one
    data = TrainingData()
    try:
        data = load_nlu_data(data_paths or [project_dir / "data"])
    except InvalidProjectError as error:
        problems.extend(error.problems)
    if not problems and not data.examples:
        problems.append(
            Problem("no NLU training examples found", Location(str(project_dir / "data")), None,
                    "add an nlu.yml with '- intent: name' items under data/")
        )
    if problems or pipeline is None:
        raise error_type(problems)
    return NLUTrainingInputs(config, pipeline, data, project_dir)


def train_nlu(
    project_dir: Path,
    *,
    models_dir: Path | None = None,
    config_path: Path | None = None,
    data_paths: list[Path] | None = None,
    force: bool = False,
    progress: ProgressCallback = lambda message: None,
    reference_time: datetime | None = None,
    fixed_name: str | None = None,
    cache_dir: Path | None = None,
) -> TrainResult:
    """Train the NLU pipeline only (`hrbot train nlu`)."""
    return train_project(
        project_dir, parts=("nlu",), models_dir=models_dir, config_path=config_path,
        data_paths=data_paths, force=force, progress=progress, reference_time=reference_time,
        fixed_name=fixed_name, cache_dir=cache_dir,
    )


def train_project(
    project_dir: Path,
    *,
    parts: tuple[str, ...] = ("nlu", "core"),
    models_dir: Path | None = None,
    config_path: Path | None = None,
    data_paths: list[Path] | None = None,
    domain_path: Path | None = None,
    force: bool = False,
    progress: ProgressCallback = lambda message: None,
    reference_time: datetime | None = None,
    fixed_name: str | None = None,
    cache_dir: Path | None = None,
) -> TrainResult:
    """Train NLU and dialogue, reusing from the newest model each part whose inputs did not
    change; skip training altogether when nothing changed."""
    data_paths = data_paths or [project_dir / "data"]
    nlu_inputs = read_nlu_inputs(project_dir, config_path=config_path, data_paths=data_paths)
    for notice in nlu_inputs.pipeline.notices:
        progress(f"notice: {notice}")
    dialogue_inputs = None
    if "core" in parts:
        dialogue_inputs = read_dialogue_inputs(
            project_dir, data_paths, nlu_inputs.config.policies, domain_path
        )
        if dialogue_inputs is None:
            progress("no domain with stories or rules: training an NLU-only model")
    code = code_fingerprint()
    fingerprints = {"nlu": nlu_inputs.fingerprint()}
    if dialogue_inputs is not None:
        fingerprints["core"] = dialogue_inputs.fingerprint(code)
    target_dir = models_dir or project_dir / "models"
    newest = latest_archive(target_dir)
    previous = {} if newest is None or force else _previous_fingerprints(newest)
    if newest is not None and previous == fingerprints:
        progress(f"nothing changed since {newest.name}: training skipped (use --force)")
        return TrainResult(newest, True, _combined(fingerprints))
    now = utc_now()
    with tempfile.TemporaryDirectory(prefix="hrbot-train-") as folder:
        root = Path(folder)
        reusable = [part for part in fingerprints if previous.get(part) == fingerprints[part]]
        if reusable and newest is not None:
            _copy_parts(newest, root, reusable)
            progress(f"unchanged since {newest.name}: {', '.join(reusable)} (reused)")
        if "nlu" not in reusable:
            _train_nlu_part(nlu_inputs, root / "nlu", progress, reference_time or now, cache_dir)
        if dialogue_inputs is not None and "core" not in reusable:
            _train_core_part(dialogue_inputs, root / "core", progress)
        data = nlu_inputs.data
        metadata = {
            "hrbot_version": __version__,
            "trained_at": now.isoformat(),
            "language": nlu_inputs.config.language,
            "fingerprint": fingerprints,
            "intents": data.intents,
            "entities": data.entity_types,
            "parts": sorted(fingerprints),
        }
        (root / METADATA_FILE).write_text(
            json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        path = write_archive(root, target_dir, fixed_name or archive_name(_combined(fingerprints), now))
    progress(f"model written to {path}")
    return TrainResult(path, False, _combined(fingerprints))


def _combined(fingerprints: dict[str, str]) -> str:
    if set(fingerprints) == {"nlu"}:
        return fingerprints["nlu"]
    return hashlib.sha256(json.dumps(fingerprints, sort_keys=True).encode()).hexdigest()


def _previous_fingerprints(archive: Path) -> dict[str, str]:
    try:
        found = archive_metadata(archive).get("fingerprint", {})
    except ModelError:  # an unreadable archive is no reason to skip (or refuse) training
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _copy_parts(archive: Path, root: Path, parts: list[str]) -> None:
    with unpacked(archive) as folder:
        for part in parts:
            shutil.copytree(folder / part, root / part)


def _train_nlu_part(
    inputs: NLUTrainingInputs,
    target: Path,
    progress: ProgressCallback,
    reference_time: datetime,
    cache_dir: Path | None,
) -> None:
    data = inputs.data
    progress(
        f"training NLU on {len(data.examples)} examples, {len(data.intents)} intents, "
        f"{len(data.entity_types)} entity types"
    )
    pipeline = NLUPipeline.from_config(inputs.pipeline)
    pipeline.train(data, TrainContext(reference_time, progress, inputs.project_dir, cache_dir))
    pipeline.persist(target)


def _train_core_part(inputs: DialogueTrainingInputs, target: Path, progress: ProgressCallback) -> None:
    from hrbot.dialogue.policies.ensemble import PolicyEnsemble

    stories = inputs.stories
    progress(
        f"training dialogue on {len(stories.stories)} stories and {len(stories.rules)} rules, "
        f"{len(inputs.domain.action_names)} actions"
    )
    ensemble, notices = PolicyEnsemble.from_config(inputs.policies)
    for notice in notices:
        progress(f"notice: {notice}")
    ensemble.train(stories, inputs.domain, progress)
    target.mkdir(parents=True)
    ensemble.persist(target / "policies")
    domain_target = target / "domain"
    domain_target.mkdir()
    for index, file in enumerate(domain_files(inputs.domain_path)):
        shutil.copyfile(file, domain_target / f"{index:03d}_{file.name}")
