"""Model archives: a tar.gz with `metadata.json` and one folder per trained part.

An archive is written to a temporary file in the models folder and renamed into place only
when complete, so an interrupted or failed training never leaves a half-written model.
"""

from __future__ import annotations

import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hrbot.shared.errors import ModelError

METADATA_FILE = "metadata.json"
ARCHIVE_SUFFIX = ".tar.gz"


def archive_name(fingerprint: str, now: datetime) -> str:
    return f"{now.strftime('%Y%m%d-%H%M%S')}-{fingerprint[:8]}{ARCHIVE_SUFFIX}"


def write_archive(source: Path, models_dir: Path, name: str) -> Path:
    """Pack the folder `source` into `models_dir/name`, atomically."""
    models_dir.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".partial-", suffix=ARCHIVE_SUFFIX, dir=models_dir)
    os.close(handle)
    try:
        with tarfile.open(temporary, "w:gz", compresslevel=6) as tar:
            for path in sorted(source.rglob("*")):
                tar.add(path, arcname=str(path.relative_to(source)), recursive=False)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp creates 0600; a model is an ordinary file
        target = models_dir / name
        os.replace(temporary, target)
        return target
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def list_archives(models_dir: Path) -> list[Path]:
    if not models_dir.is_dir():
        return []
    return sorted(
        (p for p in models_dir.iterdir()
         if p.name.endswith(ARCHIVE_SUFFIX) and not p.name.startswith(".")),
        key=lambda p: (p.stat().st_mtime, p.name),
    )


def latest_archive(models_dir: Path) -> Path | None:
    archives = list_archives(models_dir)
    return archives[-1] if archives else None


def resolve_model_path(model: Path | None, models_dir: Path) -> Path:
    """An archive path: `model` itself, the newest archive in a folder, or in `models_dir`."""
    if model is not None and model.is_file():
        return model
    folder = model if model is not None else models_dir
    newest = latest_archive(folder)
    if newest is None:
        raise ModelError(
            f"no trained model found in '{folder}': train one with 'hrbot train' "
            "or pass --model PATH"
        )
    return newest


@contextmanager
def unpacked(archive: Path) -> Iterator[Path]:
    """Extract an archive into a temporary folder for the duration of the block."""
    with tempfile.TemporaryDirectory(prefix="hrbot-model-") as folder:
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(folder, filter="data")
        except (OSError, tarfile.TarError) as error:
            raise ModelError(
                f"cannot read model archive '{archive}' ({error}); retrain with 'hrbot train'"
            ) from None
        yield Path(folder)


def read_metadata(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelError(f"model has no readable {METADATA_FILE} ({error}); retrain it") from None
    if not isinstance(data, dict):
        raise ModelError(f"model {METADATA_FILE} is not an object; retrain it")
    return data


def archive_metadata(archive: Path) -> dict[str, Any]:
    """Only the metadata of an archive, without extracting the rest."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(METADATA_FILE)
            if member is None:
                raise KeyError(METADATA_FILE)
            data = json.loads(member.read().decode("utf-8"))
    except (OSError, KeyError, ValueError, tarfile.TarError) as error:
        raise ModelError(f"cannot read metadata of model '{archive}' ({error})") from None
    return data if isinstance(data, dict) else {}


def utc_now() -> datetime:
    return datetime.now(UTC)
