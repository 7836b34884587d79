"""Shared pieces of the NLU benchmarks (run.py, model_selection.py).

Datasets, pipelines, training through hrbot's own entry points, scoring with hrbot's own
evaluation functions, the scikit-learn baseline, subprocess probes for load time / latency /
memory, and machine information. Nothing here changes hrbot; the one adaptation is
`conflicts_allowed()`, see there.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SRC = REPO / "src"
DEFAULT_DATASETS = REPO.parent / "shared" / "benchmarks"
BENCHMARK_CONFIG = HERE / "config.yml"
PROJECT_CONFIG = REPO / "config.yml"
PROJECT_DATA = REPO / "data"
PROBE_SCRIPT = HERE / "probe_model.py"

# Parsing resolves relative dates against a reference time; fix it so runs are reproducible.
REFERENCE_TIME = datetime(2026, 11, 22, 10, 0, tzinfo=timezone(timedelta(hours=8)))
HR = "hr"

# hrbot is imported from the checkout (src layout) unless it is installed.
try:
    import hrbot  # noqa: F401
except ImportError:  # pragma: no cover - depends on how the script is started
    sys.path.insert(0, str(SRC))


@dataclass(frozen=True)
class Published:
    """A published figure to put next to ours."""

    metric: str
    value: float  # as a fraction (0.9466), not a percentage
    model: str
    comparable: bool
    note: str = ""


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    short: str
    collapse: bool = False  # SMP2019/2020: also score intent-only labels via label_collapse.json
    published_intent: Published | None = None
    published_entity: Published | None = None
    notes: str = ""


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec(
            "cais", "CAIS",
            published_intent=Published("intent acc", 0.9466, "MLWA / SF-ID Network", True,
                                       "official test split (1,012 utterances released)"),
            published_entity=Published("slot F1", 0.8857, "MLWA", True),
        ),
        DatasetSpec(
            "crosswoz", "CrossWOZ",
            published_intent=Published("dialogue-act F1", 0.9185, "ConvLab-2 BERTNLU", False,
                                       "trained on the official train split (10x ours), "
                                       "different metric"),
            notes="trained on the official val split; combined multi-intent labels",
        ),
        DatasetSpec(
            "nlpcc2018_task4", "NLPCC2018",
            notes="deduplicated YAML, single turns without session context",
        ),
        DatasetSpec(
            "smp2017_ecdt_task1", "SMP2017",
            published_intent=Published("F1", 0.945, "ST-UIC (Xie et al. 2018)", False,
                                       "official test set; ours is a random 20 % of train+dev"),
        ),
        DatasetSpec(
            "smp2019_ecdt", "SMP2019", collapse=True,
            published_intent=Published("intent acc (intent-only, 23 classes)", 0.9444,
                                       "Stack-Propagation", True, "same 2,053/256/270 split"),
            published_entity=Published("slot F1", 0.7891, "Stack-Propagation", False,
                                       "computed on offset files with span errors"),
        ),
        DatasetSpec(
            "smp2020_ecdt", "SMP2020", collapse=True,
            published_intent=Published("intent acc (intent-only, 59 classes)", 0.9634,
                                       "MLWA", True, "same 4,011/493/520 split"),
            published_entity=Published("slot F1", 0.8432, "MLWA", False,
                                       "computed on offset files with span errors"),
        ),
    )
}
ALL_NAMES = [*DATASETS, HR]


def resolve_names(requested: Sequence[str] | None) -> list[str]:
    """Dataset names from --only: exact names, or unambiguous prefixes / short names."""
    if not requested:
        return list(ALL_NAMES)
    chosen: list[str] = []
    for raw in requested:
        key = raw.lower()
        matches = [
            name for name in ALL_NAMES
            if name == key or name.startswith(key)
            or (name in DATASETS and DATASETS[name].short.lower() == key)
        ]
        if len(matches) != 1:
            raise SystemExit(f"--only {raw}: expected one of {', '.join(ALL_NAMES)}")
        if matches[0] not in chosen:
            chosen.append(matches[0])
    return chosen


# ---------------------------------------------------------------------------- progress


class Progress:
    """Timestamped progress lines on stderr."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        elapsed = time.perf_counter() - self.started
        print(f"[{elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- data


def load_split(path: Path) -> Any:
    """Third-party data: a few texts are listed under two intents, which is allowed here."""
    from hrbot.shared.nlu.rasa_yaml import load_nlu_data

    return load_nlu_data([path], allow_conflicts=True)


def label_collapse(dataset_dir: Path) -> dict[str, str]:
    """Rasa intent -> original intent-only label (the label the published tables score)."""
    mapping = json.loads((dataset_dir / "label_collapse.json").read_text(encoding="utf-8"))
    return {label: str(value["intent"]) for label, value in mapping.items()}


def domain_collapse(dataset_dir: Path) -> dict[str, str]:
    mapping = json.loads((dataset_dir / "label_collapse.json").read_text(encoding="utf-8"))
    return {label: str(value["domain"]) for label, value in mapping.items()}


@contextlib.contextmanager
def conflicts_allowed() -> Iterator[None]:
    """Let `train_nlu` read third-party data in which a text is listed under two intents.

    `train_nlu` reads data through `read_nlu_inputs`, which calls `load_nlu_data` without
    `allow_conflicts` and has no way to pass it; NLPCC2018 (231 texts) and CrossWOZ (8)
    would be refused. For the benchmark only, the function it calls is swapped for one with
    `allow_conflicts=True` for the duration of the block.
    """
    import hrbot.model.training as training
    from hrbot.shared.nlu.rasa_yaml import load_nlu_data

    original = training.load_nlu_data
    training.load_nlu_data = functools.partial(load_nlu_data, allow_conflicts=True)
    try:
        yield
    finally:
        training.load_nlu_data = original


# ---------------------------------------------------------------------------- pipelines


def read_pipeline_items(config_path: Path) -> list[dict[str, Any]]:
    from hrbot.shared.config import read_config

    config = read_config(config_path)
    return [dict(item) for item in config.pipeline or []]


def resolve_items(items: Sequence[Mapping[str, Any]]) -> Any:
    from hrbot.nlu.builtins import builtin_registry
    from hrbot.nlu.pipeline_config import resolve_pipeline

    return resolve_pipeline(items, builtin_registry())


_DONE = re.compile(r"^\[(\d+)/(\d+)\] (\S+) done in ([\d.]+)s$")


@dataclass
class TrainLog:
    """Per-component training times, collected from the pipeline's progress messages."""

    started: float = field(default_factory=time.perf_counter)
    components: list[tuple[str, float]] = field(default_factory=list)
    first_component_at: float | None = None
    last_component_at: float | None = None
    echo: Callable[[str], None] | None = None

    def __call__(self, message: str) -> None:
        now = time.perf_counter()
        if message.startswith("[1/") and " training " in message and self.first_component_at is None:
            self.first_component_at = now - self.started
        match = _DONE.match(message)
        if match:
            self.components.append((f"{int(match[1]):02d}_{match[3]}", float(match[4])))
            self.last_component_at = now - self.started
        if self.echo is not None:
            self.echo(f"    {message}")

    def breakdown(self, total: float | None = None) -> dict[str, Any]:
        result: dict[str, Any] = {"components_s": dict(self.components)}
        if self.first_component_at is not None:
            result["before_components_s"] = round(self.first_component_at, 3)
        if total is not None and self.last_component_at is not None:
            result["after_components_s"] = round(total - self.last_component_at, 3)
        return result


def crf_seconds(components: Mapping[str, float]) -> float:
    return sum(v for k, v in components.items() if k.endswith("_CRFEntityExtractor"))


def other_component_seconds(components: Mapping[str, float]) -> float:
    """Training time of every component but the CRF (tokenizer, featurizers, classifier...)."""
    return sum(components.values()) - crf_seconds(components)


HR_ONLY_COMPONENTS = {"ChineseValueExtractor"}


def config_drift(benchmark_config: Path, project_config: Path) -> list[str]:
    """How the benchmark pipeline differs from config.yml beyond the intended differences
    (no jieba user dictionary, no ChineseValueExtractor); empty when it does not."""

    def normalised(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        result = []
        for item in items:
            if item.get("name") in HR_ONLY_COMPONENTS:
                continue
            result.append({k: v for k, v in item.items() if k != "dictionary_path"})
        return result

    ours = normalised(read_pipeline_items(benchmark_config))
    theirs = normalised(read_pipeline_items(project_config))
    if ours == theirs:
        return []
    return [
        f"benchmark pipeline: {[i.get('name') for i in ours]}",
        f"config.yml pipeline: {[i.get('name') for i in theirs]}",
        *(f"step {n}: {a} != {b}" for n, (a, b) in enumerate(zip(ours, theirs, strict=False))
          if a != b),
    ]


def train_archive(
    project_dir: Path, config_path: Path, data_paths: Sequence[Path], models_dir: Path,
    cache_dir: Path, echo: Callable[[str], None] | None = None,
) -> tuple[Path, float, dict[str, Any]]:
    """`train_nlu` as `hrbot train` runs it; (archive, wall seconds, breakdown)."""
    from hrbot.model.training import train_nlu

    log = TrainLog(echo=echo)
    with conflicts_allowed():
        started = time.perf_counter()
        log.started = started
        result = train_nlu(
            project_dir, models_dir=models_dir, config_path=config_path,
            data_paths=list(data_paths), force=True, progress=log, cache_dir=cache_dir,
            reference_time=REFERENCE_TIME,
        )
        seconds = time.perf_counter() - started
    return result.model, seconds, log.breakdown(seconds)


def train_pipeline(
    resolved: Any, data: Any, project_dir: Path, cache_dir: Path | None,
) -> tuple[Any, float, dict[str, Any]]:
    """An in-memory pipeline trained on `data` (cross-validation folds, model selection)."""
    from hrbot.nlu.component import TrainContext
    from hrbot.nlu.pipeline import NLUPipeline

    log = TrainLog()
    started = time.perf_counter()
    log.started = started
    pipeline = NLUPipeline.from_config(resolved)
    pipeline.train(data, TrainContext(REFERENCE_TIME, log, project_dir, cache_dir))
    seconds = time.perf_counter() - started
    return pipeline, seconds, log.breakdown(seconds)


def warm_jieba_cache(config_path: Path, project_dir: Path, cache_dir: Path) -> float:
    """Build (or load) the jieba dictionary a config needs into `cache_dir`; seconds taken."""
    from hrbot.nlu.components.jieba_dictionary import build_dictionary
    from hrbot.nlu.components.tokenizers import user_dictionary_files

    started = time.perf_counter()
    for item in read_pipeline_items(config_path):
        if item.get("name") == "JiebaTokenizer":
            files = user_dictionary_files(item.get("dictionary_path"), project_dir)
            build_dictionary(files, cache_dir)
    return time.perf_counter() - started


def preload_training_libraries() -> None:
    """Import what training imports lazily, so the first timed training does not pay for it."""
    import marisa_trie  # noqa: F401
    import pycrfsuite  # noqa: F401
    import scipy.optimize  # noqa: F401
    import sklearn.linear_model
    import sklearn.metrics
    import sklearn.model_selection
    import sklearn.svm  # noqa: F401


# ---------------------------------------------------------------------------- scoring


def predict(parse: Callable[..., Any], data: Any, progress: Callable[[str], None]) -> list[Any]:
    from hrbot.nlu.evaluation import predict as hrbot_predict

    return hrbot_predict(parse, data, REFERENCE_TIME, progress)


def label_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy and macro/weighted F1 of a classification report over the labels seen."""
    from sklearn.metrics import classification_report

    labels = sorted(set(gold) | set(predicted))
    report = classification_report(
        gold, predicted, labels=labels, output_dict=True, zero_division=0
    )
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(len(gold), 1)
    return {
        "accuracy": round(accuracy, 4),
        "macro_f1": round(float(report["macro avg"]["f1-score"]), 4),
        "weighted_f1": round(float(report["weighted avg"]["f1-score"]), 4),
        "labels": len(labels),
        "examples": len(gold),
    }


def hrbot_intent_scores(predictions: Sequence[Any]) -> dict[str, Any]:
    """hrbot's own intent report over `Prediction.predicted_intent` (fallback ignored)."""
    from hrbot.nlu.evaluation import intent_report

    report = intent_report(predictions)
    labels = [k for k in report if k not in ("accuracy", "macro avg", "weighted avg",
                                             "micro avg")]
    fallback = sum(1 for p in predictions if p.result.intent.name == "nlu_fallback")
    return {
        "accuracy": round(float(report["accuracy"]), 4),
        "macro_f1": round(float(report["macro avg"]["f1-score"]), 4),
        "weighted_f1": round(float(report["weighted avg"]["f1-score"]), 4),
        "labels": len(labels),
        "examples": len(predictions),
        "fallback_rate": round(fallback / max(len(predictions), 1), 4),
    }


def collapsed_scores(
    gold: Sequence[str], predicted: Sequence[str], mapping: Mapping[str, str]
) -> dict[str, Any]:
    return label_scores([mapping.get(g, g) for g in gold], [mapping.get(p, p) for p in predicted])


def entity_scores(predictions: Sequence[Any]) -> dict[str, Any] | None:
    """Exact-span micro P/R/F1 over all extractors (hrbot's entity_report)."""
    from hrbot.nlu.evaluation import entity_report

    if not any(p.example.entities for p in predictions):
        return None
    report = entity_report(predictions)
    micro = report["micro avg"]
    return {
        "precision": round(float(micro["precision"]), 4),
        "recall": round(float(micro["recall"]), 4),
        "f1": round(float(micro["f1-score"]), 4),
        "support": int(micro["support"]),
        "macro_f1": round(float(report["macro avg"]["f1-score"]), 4),
    }


# ---------------------------------------------------------------------------- baseline


def baseline_model() -> Any:
    """The floor: char 1-4 tf-idf + jieba word 1-2 tf-idf -> LinearSVC(C=1)."""
    import logging

    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, make_pipeline
    from sklearn.svm import LinearSVC

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()  # load jieba's dictionary before any timing
    return make_pipeline(
        FeatureUnion(
            [
                ("char", TfidfVectorizer(analyzer="char", ngram_range=(1, 4), sublinear_tf=True)),
                ("word", TfidfVectorizer(tokenizer=jieba.lcut, token_pattern=None,
                                         ngram_range=(1, 2))),
            ]
        ),
        LinearSVC(C=1),
    )


def run_baseline(
    train_texts: Sequence[str], train_labels: Sequence[str], test_texts: Sequence[str]
) -> tuple[list[str], float, float]:
    """(predictions, fit seconds, predict seconds) of a fresh baseline."""
    model = baseline_model()
    started = time.perf_counter()
    model.fit(list(train_texts), list(train_labels))
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predicted = [str(label) for label in model.predict(list(test_texts))]
    return predicted, fit_seconds, time.perf_counter() - started


# ---------------------------------------------------------------------------- subprocesses


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return env


LOAD_COMMAND = (
    "import time;t=time.time();from hrbot.model.loading import load_model;"
    "m=load_model({path!r});print(time.time()-t)"
)
IMPORT_COMMAND = (
    "import time;t=time.time();from hrbot.model.loading import load_model;print(time.time()-t)"
)


def _python_seconds(code: str) -> float:
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True,
        env=child_env(), cwd=REPO,
    ).stdout
    return float(output.strip().splitlines()[-1])


def measure_load(model: Path, repeats: int) -> dict[str, Any]:
    """Wall time of import + load_model in fresh interpreters; median of `repeats`."""
    runs = [_python_seconds(LOAD_COMMAND.format(path=str(model))) for _ in range(repeats)]
    imports = [_python_seconds(IMPORT_COMMAND) for _ in range(repeats)]
    return {
        "median_s": round(statistics.median(runs), 4),
        "runs_s": [round(r, 4) for r in runs],
        "import_only_median_s": round(statistics.median(imports), 4),
        "import_only_runs_s": [round(r, 4) for r in imports],
    }


def measure_serving(
    model: Path, texts: Sequence[str], *, warmup: int, limit: int | None, repeats: int
) -> dict[str, Any]:
    """Parse latency and peak RSS of fresh processes that load the model and parse `texts`."""
    with tempfile.TemporaryDirectory(prefix="hrbot-bench-") as folder:
        texts_file = Path(folder) / "texts.json"
        texts_file.write_text(json.dumps(list(texts), ensure_ascii=False), encoding="utf-8")
        runs = []
        for _ in range(repeats):
            command = [sys.executable, str(PROBE_SCRIPT), str(model), str(texts_file),
                       "--warmup", str(warmup)]
            if limit:
                command += ["--limit", str(limit)]
            # Through a shell that forks: on Linux an exec'd child's ru_maxrss starts at the
            # RSS of the process it was forked from (here this benchmark, 200-400 MB), which
            # would be reported as the parser's peak. The shell's few MB are harmless.
            shell = [shutil.which("sh") or "/bin/sh", "-c", f"{shlex.join(command)}; exit $?"]
            output = subprocess.run(shell, check=True, capture_output=True, text=True,
                                    env=child_env(), cwd=REPO).stdout
            runs.append(json.loads(output.strip().splitlines()[-1]))
    return {
        "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 4),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 4),
        "mean_ms": round(statistics.median(r["mean_ms"] for r in runs), 4),
        "max_rss_mb": round(statistics.median(r["max_rss_mb"] for r in runs), 1),
        "vm_hwm_mb": round(statistics.median(r["vm_hwm_mb"] for r in runs), 1),
        "parses_per_run": runs[0]["parses"],
        "warmup": warmup,
        "runs": runs,
    }


def cold_train(
    project_dir: Path, config_path: Path, data_paths: Sequence[Path]
) -> dict[str, Any]:
    """train_nlu twice in a fresh interpreter with an empty jieba cache: cold, then warm."""
    code = (
        "import json,sys,tempfile,time\n"
        "from pathlib import Path\n"
        "t=time.perf_counter()\n"
        "from hrbot.model.training import train_nlu\n"
        "imp=time.perf_counter()-t\n"
        "cache=Path(tempfile.mkdtemp());models=Path(tempfile.mkdtemp())\n"
        "args=json.loads(sys.argv[1]);out=[]\n"
        "for _ in range(2):\n"
        "    t=time.perf_counter()\n"
        "    train_nlu(Path(args['project']),models_dir=models,config_path=Path(args['config']),"
        "data_paths=[Path(p) for p in args['data']],force=True,cache_dir=cache)\n"
        "    out.append(time.perf_counter()-t)\n"
        "import shutil;shutil.rmtree(cache);shutil.rmtree(models)\n"
        "print(json.dumps({'import_s':imp,'cold_s':out[0],'warm_same_process_s':out[1]}))\n"
    )
    args = json.dumps({"project": str(project_dir), "config": str(config_path),
                       "data": [str(p) for p in data_paths]})
    output = subprocess.run([sys.executable, "-c", code, args], check=True, capture_output=True,
                            text=True, env=child_env(), cwd=REPO).stdout
    return {k: round(v, 3) for k, v in json.loads(output.strip().splitlines()[-1]).items()}


# ---------------------------------------------------------------------------- machine


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
    }
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    versions = {}
    for module in ("numpy", "scipy", "sklearn", "jieba", "matplotlib", "hrbot"):
        with contextlib.suppress(Exception):
            versions[module] = str(__import__(module).__version__)
    with contextlib.suppress(Exception):
        from importlib.metadata import version

        versions["python-crfsuite"] = version("python-crfsuite")
        versions["marisa-trie"] = version("marisa-trie")
    info["packages"] = versions
    return info


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def git_revision() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, check=True,
                              capture_output=True, text=True).stdout.strip() or None
    except (OSError, subprocess.CalledProcessError):
        return None


def git_dirty() -> list[str]:
    """Uncommitted changes to what the benchmark measures (src, config.yml, data)."""
    try:
        output = subprocess.run(
            ["git", "status", "--porcelain", "--", "src", "config.yml", "data"], cwd=REPO,
            check=True, capture_output=True, text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    return [line.strip() for line in output.splitlines() if line.strip()]


def pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f}"
