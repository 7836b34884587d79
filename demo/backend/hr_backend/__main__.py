"""``python -m hr_backend``: serve the demo company's backend over HTTP.

python -m hr_backend --port 8800 --data demo/company.json --db hr-backend.db [--today 2026-11-23] [--reset]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from hr_backend.clock import parse_now
from hr_backend.settings import DEFAULT_TOKENS, SYSTEMS, Settings, Tokens, env_or, token_env_var

EPILOG = (
    "environment: HR_BACKEND_DATA, HR_BACKEND_DB, HR_BACKEND_TODAY, HR_BACKEND_HOST, HR_BACKEND_PORT, "
    + ", ".join(f"{token_env_var(system)} (default {DEFAULT_TOKENS[system]})" for system in SYSTEMS)
)


def parse_args(argv: Sequence[str] | None, env: Mapping[str, str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m hr_backend", description=__doc__.splitlines()[0], epilog=EPILOG
    )
    parser.add_argument("--host", default=env_or("HOST", "127.0.0.1", env))
    parser.add_argument("--port", type=int, default=int(env_or("PORT", "8800", env)))
    parser.add_argument(
        "--data", default=env_or("DATA", "demo/company.json", env), help="the demo's company.json"
    )
    parser.add_argument(
        "--db", default=env_or("DB", "demo/state/hr-backend.db", env), help="SQLite file for writes (created)"
    )
    parser.add_argument(
        "--today",
        default=env_or("TODAY", "", env),
        help="the backend's clock: YYYY-MM-DD (10:00) or ISO date-time; default company.reference_date",
    )
    parser.add_argument("--reset", action="store_true", help="drop every write first (back to company.json)")
    for system in SYSTEMS:
        parser.add_argument(f"--{system}-token", default=None, help=f"bearer token of /{system}")
    parser.add_argument("--log-level", default="info")
    return parser.parse_args(argv)


def settings_from_args(args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    tokens = Tokens.from_env(env, {system: getattr(args, f"{system}_token") for system in SYSTEMS})
    now = parse_now(args.today) if args.today else None
    return Settings(data_path=Path(args.data), db_path=Path(args.db), tokens=tokens, now=now)


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    from hr_backend.app import create_app
    from hr_backend.backend import open_backend
    from hr_backend.data.dataset import DataError

    env = dict(os.environ)
    args = parse_args(argv, env)
    try:
        settings = settings_from_args(args, env)
        backend = open_backend(settings, reset=args.reset)
    except (ValueError, DataError) as error:
        print(f"hr_backend: {error}", file=sys.stderr)
        return 2
    print(
        f"hr_backend: {backend.dataset.company.get('name')} on http://{args.host}:{args.port} "
        f"(today {backend.now.isoformat()}, db {settings.db_path}, {backend.store.count()} writes)",
        file=sys.stderr,
    )
    try:
        uvicorn.run(create_app(backend), host=args.host, port=args.port, log_level=args.log_level)
    finally:
        backend.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
