"""Import rules: `hrbot.shared` is a leaf, importing hrbot is free of side effects, and
parsing with a trained model needs neither scikit-learn nor jieba."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hrbot_test_support import REFERENCE_TIME_TEXT, SRC_DIR, subprocess_env

SHARED = SRC_DIR / "hrbot" / "shared"
HEAVY = ("numpy", "sklearn", "jieba", "scipy")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
    return found


def test_dependencies_import_scanner_sees_relative_and_absolute_imports() -> None:
    sample = SRC_DIR / "hrbot" / "shared" / "nlu" / "rasa_yaml.py"

    modules = {name for _, name in imported_modules(sample)}

    assert "hrbot.shared.errors" in modules
    assert "re" in modules


def test_dependencies_shared_imports_nothing_else_from_hrbot() -> None:
    files = sorted(SHARED.rglob("*.py"))
    assert len(files) >= 10

    offending = [
        f"{path.relative_to(SRC_DIR)}:{line}: {name}"
        for path in files
        for line, name in imported_modules(path)
        if (name == "hrbot" or name.startswith("hrbot."))
        and not (name == "hrbot.shared" or name.startswith("hrbot.shared."))
    ]

    assert offending == []


@pytest.mark.parametrize("module", ["hrbot", "hrbot.cli.main", "hrbot.shared.nlu.rasa_yaml"])
def test_dependencies_importing_hrbot_pulls_in_no_heavy_library(module: str) -> None:
    code = (
        f"import {module}, sys; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )

    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env(),
        timeout=60, check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


def test_dependencies_parsing_with_a_loaded_model_imports_neither_sklearn_nor_jieba(
    trained_model_path: Path,
) -> None:
    code = f"""
import json, sys
from datetime import datetime
from pathlib import Path
from hrbot.model.loading import load_model
model = load_model(Path({str(trained_model_path)!r}))
moment = datetime.fromisoformat({REFERENCE_TIME_TEXT!r})
results = [model.nlu.parse(text, moment).to_dict()
           for text in ["请3天年假", "上个月工资多少", "我想明天请一天病假", "", "hello"]]
loaded = sorted({{m.split('.')[0] for m in sys.modules}} & {{'sklearn', 'jieba', 'scipy'}})
print(json.dumps({{"loaded": loaded, "intent": results[0]["intent"]["name"]}}))
"""

    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env(),
        timeout=120, check=False,
    )

    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["intent"] == "request_leave"
    assert report["loaded"] == []
