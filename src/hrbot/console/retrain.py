"""Retraining from the console: one background job at a time that cross-validates the old and
the new training data (`retrain_eval`) and trains a candidate model, which a designer can then
activate.

The job runs in a thread of its own (training is CPU work; the server keeps answering) and
reports its progress in steps. Only one job runs per project: a second start is refused, also
from another server process (an exclusive lock on models/candidates/.lock).

The candidate is trained into models/candidates/<job>/ — where `hrbot run` does not look —
reusing the served model's unchanged parts (its dialogue part, when only NLU data changed).
Activating moves the candidate into models/, as the newest archive, so the next start of the
server loads it; the running server keeps its model until then (it has no way to swap a model
while serving).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from hrbot.console.annotation_file import REVIEWED_FILE
from hrbot.console.retrain_eval import (
    FOLDS,
    CrossValidation,
    cross_validate,
    is_new_annotation,
    old_data,
    trained_at_of,
)
from hrbot.model.loading import LoadedModel
from hrbot.shared.errors import HrbotError

logger = logging.getLogger(__name__)
CANDIDATES = Path("models") / "candidates"
MAX_LOG = 40


class RetrainError(HrbotError):
    """A retraining request that cannot be served now; the message says why."""


@dataclass(frozen=True)
class RetrainResult:
    """What a finished job found. `candidate` is None when nothing changed since the served
    model; `old` is None when the old data is the new data."""

    candidate: Path | None
    new: CrossValidation
    old: CrossValidation | None
    new_annotations: int

    def to_dict(self) -> dict[str, Any]:
        return {"candidate": self.candidate.name if self.candidate else None, "new": self.new.to_dict(),
                "old": self.old.to_dict() if self.old else None, "new_annotations": self.new_annotations}


@dataclass(frozen=True)
class RetrainJob:
    """A job as the page shows it. `state`: running, done or failed."""

    id: str
    started_by: str
    started_at: float
    served_model: str
    state: str = "running"
    step: int = 0
    steps: int = 1
    message: str = "准备中…"
    log: tuple[str, ...] = ()
    finished_at: float | None = None
    result: RetrainResult | None = None
    error: str | None = None
    activated: Path | None = None
    activated_by: str | None = None

    @property
    def running(self) -> bool:
        return self.state == "running"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state, "step": self.step, "steps": self.steps,
                "message": self.message, "log": list(self.log), "started_by": self.started_by,
                "started_at": self.started_at, "finished_at": self.finished_at, "error": self.error,
                "served_model": self.served_model,
                "result": self.result.to_dict() if self.result else None,
                "activated": self.activated.name if self.activated else None}


@contextmanager
def _project_lock(path: Path) -> Iterator[None]:
    """The project's retraining lock, or RetrainError when another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = open(path, "a", encoding="utf-8")  # noqa: SIM115 - held for the whole job
    try:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:
            pass
        except OSError:
            raise RetrainError("另一个服务进程正在训练这个项目,请等它完成。") from None
        yield
    finally:
        handle.close()


class RetrainJobs:
    """The retraining jobs of one project; `served()` is the model the server runs now."""

    def __init__(self, project_dir: Path, served: Callable[[], LoadedModel], *, folds: int = FOLDS,
                 clock: Callable[[], float] = time.time, cache_dir: Path | None = None) -> None:
        self.project_dir = project_dir
        self.served = served
        self.folds = folds
        self.clock = clock
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._job: RetrainJob | None = None
        self._done = threading.Event()

    @property
    def candidates_dir(self) -> Path:
        return self.project_dir / CANDIDATES

    def current(self) -> RetrainJob | None:
        with self._lock:
            return self._job

    def _update(self, **changes: Any) -> None:
        with self._lock:
            assert self._job is not None
            job = self._job
            if "message" in changes:
                changes["log"] = (*job.log, changes["message"])[-MAX_LOG:]
            self._job = replace(job, **changes)

    def start(self, by: str) -> RetrainJob:
        """Start a job as `by`; RetrainError while one is running."""
        with self._lock:
            if self._job is not None and self._job.running:
                raise RetrainError("已有一个训练任务在进行,请等它完成。")
            model = self.served()
            job = RetrainJob(uuid.uuid4().hex[:12], by, self.clock(), model.path.name)
            self._job = job
            self._done.clear()
        threading.Thread(target=self._run, args=(job.id, model), name=f"hrbot-retrain-{job.id}",
                         daemon=True).start()
        return job

    def wait(self, timeout: float) -> RetrainJob | None:
        """The job once it finished (or as it is after `timeout` seconds)."""
        self._done.wait(timeout)
        return self.current()

    def _run(self, job_id: str, model: LoadedModel) -> None:
        try:
            with _project_lock(self.candidates_dir / ".lock"):
                result = self._retrain(job_id, model)
            finished = self.current()
            self._update(state="done", step=finished.steps if finished else 1,
                         message="完成:请比较新旧交叉验证结果,再决定是否激活。" if result.candidate else
                         "完成:训练数据与在线模型相比没有变化,无需激活。",
                         finished_at=self.clock(), result=result)
        except HrbotError as error:
            self._update(state="failed", message=f"失败:{error}", error=str(error), finished_at=self.clock())
        except Exception as error:  # a bug or a broken file: the page must say so, not spin forever
            logger.exception("console retraining job %s failed", job_id)
            self._update(state="failed", message=f"失败:{error!r}", error=repr(error),
                         finished_at=self.clock())
        finally:
            self._done.set()

    def _retrain(self, job_id: str, model: LoadedModel) -> RetrainResult:
        from hrbot.model.training import read_nlu_inputs, train_project

        inputs = read_nlu_inputs(self.project_dir)
        trained_at = trained_at_of(model.metadata)
        reviewed = self.project_dir / REVIEWED_FILE
        new_annotations = sum(is_new_annotation(e, reviewed, trained_at) for e in inputs.data.examples)
        old = old_data(inputs.data, reviewed, trained_at)
        same = old.fingerprint() == inputs.data.fingerprint()
        steps = self.folds * (1 if same else 2) + 1
        self._update(steps=steps, message=f"读取训练数据:{len(inputs.data.examples)} 条例句,"
                                          f"其中在线模型之后新增标注 {new_annotations} 条")
        moment = datetime.now().astimezone()
        done = 0

        def folds_of(name: str) -> Callable[[int], None]:
            def after(fold: int) -> None:
                nonlocal done
                done += 1
                self._update(step=done, message=f"交叉验证({name}):第 {fold}/{self.folds} 折完成")
            return after

        old_cv = None if same else cross_validate(inputs, old, folds=self.folds, reference_time=moment,
                                                  cache_dir=self.cache_dir, after_fold=folds_of("旧数据"))
        new_cv = cross_validate(inputs, inputs.data, folds=self.folds, reference_time=moment,
                                cache_dir=self.cache_dir, after_fold=folds_of("新数据"))
        self._update(message="训练候选模型…")
        for stale in self.candidates_dir.iterdir() if self.candidates_dir.is_dir() else ():
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
        folder = self.candidates_dir / job_id
        folder.mkdir(parents=True)
        base = folder / model.path.name
        if model.path.is_file():
            shutil.copy2(model.path, base)  # lets training reuse the unchanged parts
        trained = train_project(self.project_dir, models_dir=folder, cache_dir=self.cache_dir,
                                progress=lambda line: self._update(message=line))
        candidate: Path | None = None if trained.skipped else trained.model
        if candidate is None or candidate != base:
            base.unlink(missing_ok=True)
        if candidate is None:
            shutil.rmtree(folder, ignore_errors=True)
        return RetrainResult(candidate, new_cv, old_cv, new_annotations)

    def activate(self, job_id: str, by: str) -> Path:
        """Move the job's candidate into models/ as the newest model; RetrainError when there
        is nothing to activate."""
        with self._lock:
            job = self._job
            if job is None or job.id != job_id:
                raise RetrainError("这个训练任务已不存在(可能已开始了新的任务),请刷新页面。")
            if job.running:
                raise RetrainError("训练还没有完成。")
            if job.activated is not None:
                raise RetrainError(f"该模型已经激活:{job.activated.name}。")
            candidate = job.result.candidate if job.result else None
            if candidate is None or not candidate.is_file():
                raise RetrainError("这个任务没有可激活的候选模型。")
            models = self.project_dir / "models"
            models.mkdir(parents=True, exist_ok=True)
            target = models / candidate.name
            os.replace(candidate, target)
            now = time.time()
            os.utime(target, (now, now))  # the newest archive is the one `hrbot run` loads
            shutil.rmtree(candidate.parent, ignore_errors=True)
            self._job = replace(job, activated=target, activated_by=by)
            return target

