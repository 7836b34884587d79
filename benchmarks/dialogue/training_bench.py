"""Train and load times of whole projects (NLU and dialogue), through hrbot's own entry point.

- Full training: `train_project(..., force=True)` in this process, timed from its progress
  messages: preparing (reading and checking config, domain, NLU data, stories and rules;
  fingerprints), NLU (training and saving the pipeline), and dialogue plus archive (training
  the policies, saving them and the domain, writing the .tar.gz). The jieba dictionary cache
  is warm: the first, cold run is reported on its own.
- Dialogue retraining with NLU reused: an NLU-only model is trained first, then
  `train_project` (both parts) reuses its NLU part and trains only the dialogue, which is what
  `hrbot train` does after stories, rules or the domain changed.
- Policies alone: `PolicyEnsemble.from_config(...).train(...)` on the project's inputs.
- Load: `load_model` in a fresh interpreter, including imports (`import hrbot.model.loading`
  measured alone as well).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import REPO, Progress, Project, child_env

PHASE_MARKERS = (("nlu_start", "training NLU on"), ("dialogue_start", "training dialogue on"),
                 ("written", "model written to"))


class _Timeline:
    """Progress callback that remembers when each phase marker appeared."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.marks: dict[str, float] = {}
        self.messages: list[str] = []

    def __call__(self, message: str) -> None:
        self.messages.append(message)
        for key, prefix in PHASE_MARKERS:
            if message.startswith(prefix) and key not in self.marks:
                self.marks[key] = time.perf_counter() - self.started


def _phases(timeline: _Timeline, total: float) -> dict[str, float | None]:
    marks = timeline.marks
    nlu_start = marks.get("nlu_start")
    dialogue_start = marks.get("dialogue_start")
    written = marks.get("written", total)
    return {
        "total_s": total,
        "prepare_s": nlu_start,
        "nlu_s": (dialogue_start - nlu_start) if nlu_start is not None and dialogue_start is not None
        else None,
        "dialogue_and_archive_s": (written - dialogue_start) if dialogue_start is not None else None,
    }


def _train_once(project_dir: Path, models: Path, cache: Path, **options: Any) -> tuple[dict[str, Any], Path]:
    from hrbot.model.training import train_project

    timeline = _Timeline()
    started = time.perf_counter()
    result = train_project(project_dir, models_dir=models, cache_dir=cache, progress=timeline, **options)
    total = time.perf_counter() - started
    phases: dict[str, Any] = dict(_phases(timeline, total))
    phases["reused"] = [m for m in timeline.messages if "(reused)" in m]
    return phases, result.model


def _policies_only(project_dir: Path) -> dict[str, float]:
    from hrbot.dialogue.policies.ensemble import PolicyEnsemble
    from hrbot.model.dialogue_inputs import read_dialogue_inputs
    from hrbot.shared.config import read_config

    started = time.perf_counter()
    config = read_config(project_dir / "config.yml")
    inputs = read_dialogue_inputs(project_dir, [project_dir / "data"], config.policies)
    read_s = time.perf_counter() - started
    assert inputs is not None, f"{project_dir} has no dialogue part"
    started = time.perf_counter()
    ensemble, _ = PolicyEnsemble.from_config(inputs.policies)
    ensemble.train(inputs.stories, inputs.domain, lambda message: None)
    return {"read_s": read_s, "train_s": time.perf_counter() - started}


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [run[key] for run in runs if run.get(key) is not None]
    return round(statistics.median(values), 3) if values else None


def measure_training(project: Project, work: Path, repeats: int, progress: Progress) -> dict[str, Any]:
    """Every training figure of one project; returns them with the archive of the last run."""
    cache = work / "jieba-cache"  # shared by all projects: the cold run is the first one using it
    models = work / f"models-{project.name}"
    cold, _ = _train_once(project.path, models, cache, force=True)
    progress(f"  {project.name}: first training {cold['total_s']:.2f} s")
    runs = []
    archive = None
    for _ in range(repeats):
        run, archive = _train_once(project.path, models, cache, force=True)
        runs.append(run)
    progress(f"  {project.name}: full training median {_median(runs, 'total_s')} s "
             "(runs " + ", ".join(f"{r['total_s']:.2f}" for r in runs) + ")")
    nlu_only = work / f"nlu-only-{project.name}"
    _, nlu_archive = _train_once(project.path, nlu_only, cache, parts=("nlu",), force=True)
    core_runs = []
    for index in range(repeats):
        folder = work / f"reuse-{project.name}-{index}"
        folder.mkdir()
        shutil.copyfile(nlu_archive, folder / nlu_archive.name)
        run, _ = _train_once(project.path, folder, cache)
        if not any("nlu" in message for message in run["reused"]):
            raise RuntimeError(f"{project.name}: the NLU part was not reused: {run['reused']}")
        core_runs.append(run)
    progress(f"  {project.name}: dialogue retraining with NLU reused median "
             f"{_median(core_runs, 'total_s')} s")
    policy_runs = [_policies_only(project.path) for _ in range(repeats)]
    assert archive is not None
    return {
        "first_run": {k: round(v, 3) if isinstance(v, float) else v for k, v in cold.items()},
        "full": {key: _median(runs, key)
                 for key in ("total_s", "prepare_s", "nlu_s", "dialogue_and_archive_s")},
        "full_runs_s": [round(r["total_s"], 3) for r in runs],
        "dialogue_retrain_nlu_reused_s": _median(core_runs, "total_s"),
        "dialogue_retrain_runs_s": [round(r["total_s"], 3) for r in core_runs],
        "policies_train_s": _median(policy_runs, "train_s"),
        "dialogue_read_s": _median(policy_runs, "read_s"),
        "archive": str(archive),
        "archive_mb": round(archive.stat().st_size / 1e6, 2),
    }


LOAD_CODE = (
    "import json,sys,time\n"
    "t=time.perf_counter()\n"
    "from hrbot.model.loading import load_model\n"
    "i=time.perf_counter()-t\n"
    "m=load_model(__import__('pathlib').Path(sys.argv[1]))\n"
    "print(json.dumps({'load_s':time.perf_counter()-t,'import_s':i,"
    "'dialogue':m.dialogue is not None}))\n"
)


def measure_load(archive: Path, repeats: int) -> dict[str, Any]:
    """Import + load_model in fresh interpreters; medians of `repeats`."""
    runs = []
    for _ in range(repeats):
        output = subprocess.run([sys.executable, "-c", LOAD_CODE, str(archive)], check=True,
                                capture_output=True, text=True, env=child_env(), cwd=REPO).stdout
        runs.append(json.loads(output.strip().splitlines()[-1]))
    if not all(run["dialogue"] for run in runs):
        raise RuntimeError(f"{archive} loaded without its dialogue part")
    return {
        "load_s": round(statistics.median(r["load_s"] for r in runs), 3),
        "import_s": round(statistics.median(r["import_s"] for r in runs), 3),
        "runs_s": [round(r["load_s"], 3) for r in runs],
    }


def training_benchmark(selected: list[Project], repeats: int, progress: Progress,
                       work: Path | None = None) -> dict[str, Any]:
    """Training and load figures for each project; archives are kept in `work`."""
    work = work or Path(tempfile.mkdtemp(prefix="hrbot-dialogue-bench-"))
    results: dict[str, Any] = {}
    for project in selected:
        progress(f"training {project.name} ({project.path})")
        figures = measure_training(project, work, repeats, progress)
        figures["load"] = measure_load(Path(figures["archive"]), repeats)
        progress(f"  {project.name}: load {figures['load']['load_s']} s "
                 f"(imports {figures['load']['import_s']} s)")
        results[project.name] = figures
    return results
