"""`hrbot train [nlu|core]`: train the model: NLU and dialogue, each part only when its
inputs changed since the newest model."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hrbot.cli.terminal import Terminal


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("train", help="train a model from config.yml and data/")
    parser.add_argument("part", nargs="?", choices=["all", "nlu", "core"], default="all",
                        help="what to train (default: NLU and, with a domain and stories or "
                             "rules, the dialogue)")
    parser.add_argument("--domain", type=Path, default=None,
                        help="domain file or folder (default: domain.yml or domain/)")
    parser.add_argument("--config", "-c", type=Path, default=Path("config.yml"))
    parser.add_argument("--data", "-d", type=Path, nargs="+", default=[Path("data")])
    parser.add_argument("--out", type=Path, default=Path("models"), help="models folder")
    parser.add_argument("--force", action="store_true", help="train even if nothing changed")
    parser.add_argument("--fixed-model-name", default=None,
                        help="file name of the archive (default: time stamp and fingerprint)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, terminal: Terminal) -> int:
    from hrbot.model.training import train_project
    from hrbot.shared.project import default_cache_dir

    name = args.fixed_model_name
    if name and not name.endswith(".tar.gz"):
        name += ".tar.gz"
    parts = {"all": ("nlu", "core"), "nlu": ("nlu",), "core": ("nlu", "core")}[args.part]
    result = train_project(
        Path.cwd(),
        parts=parts,
        domain_path=args.domain,
        models_dir=args.out,
        config_path=args.config,
        data_paths=list(args.data),
        force=args.force,
        progress=terminal.progress,
        fixed_name=name,
        cache_dir=default_cache_dir(),
    )
    terminal.print(str(result.model))
    return 0
