"""The training entry point: read the project, check it, train, write an archive."""

from __future__ import annotations

import hashlib
import json
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
    utc_now,
    write_archive,
)
from hrbot.nlu.builtins import builtin_registry
from hrbot.nlu.component import TrainContext
from hrbot.nlu.components.tokenizers import user_dictionary_files
from hrbot.nlu.pipeline import NLUPipeline
from hrbot.nlu.pipeline_config import ResolvedPipeline, resolve_project_pipeline
from hrbot.nlu.registry import ComponentRegistry
from hrbot.shared.config import ProjectConfig, read_config
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
    """Train the NLU pipeline unless the newest model was trained on the same inputs."""
    inputs = read_nlu_inputs(project_dir, config_path=config_path, data_paths=data_paths)
    for notice in inputs.pipeline.notices:
        progress(f"notice: {notice}")
    fingerprint = inputs.fingerprint()
    target_dir = models_dir or project_dir / "models"
    newest = latest_archive(target_dir)
    if newest is not None and not force:
        try:
            previous = archive_metadata(newest).get("fingerprint", {}).get("nlu")
        except ModelError:  # an unreadable archive is no reason to skip (or refuse) training
            previous = None
        if previous == fingerprint:
            progress(f"nothing changed since {newest.name}: training skipped (use --force)")
            return TrainResult(newest, True, fingerprint)
    data = inputs.data
    progress(
        f"training NLU on {len(data.examples)} examples, {len(data.intents)} intents, "
        f"{len(data.entity_types)} entity types"
    )
    now = utc_now()
    pipeline = NLUPipeline.from_config(inputs.pipeline)
    context = TrainContext(reference_time or now, progress, project_dir, cache_dir)
    pipeline.train(data, context)
    with tempfile.TemporaryDirectory(prefix="hrbot-train-") as folder:
        root = Path(folder)
        pipeline.persist(root / "nlu")
        metadata = {
            "hrbot_version": __version__,
            "trained_at": now.isoformat(),
            "language": inputs.config.language,
            "fingerprint": {"nlu": fingerprint},
            "intents": data.intents,
            "entities": data.entity_types,
        }
        (root / METADATA_FILE).write_text(
            json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        path = write_archive(root, target_dir, fixed_name or archive_name(fingerprint, now))
    progress(f"model written to {path}")
    return TrainResult(path, False, fingerprint)
