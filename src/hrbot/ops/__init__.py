"""Running hrbot in production: health and readiness probes, Prometheus metrics, JSON logs
with personal data masked, conversation export/import (SQLite -> PostgreSQL) and audit-log
backup/restore.

    routes.py              /health/live, /health/ready, /metrics (`ops_routes`, `operations`)
    metrics.py             the counters and histograms (`BotMetrics`, `TurnObserver`)
    instrument.py          attaching an observer to a running processor
    readiness.py           the readiness checks
    log_context.py         request id / sender id on every log line; `RequestIdMiddleware`
    logs.py                the JSON log formatter and logging configuration
    redaction.py           what log lines must not show
    conversation_file.py   the JSON Lines format of exported conversations
    conversation_export.py / conversation_import.py   `hrbot export` / `hrbot import`
    databases.py           the tracker store's database of an endpoints file
    audit_backup.py        verifying a backup of the console's audit log and restoring it

Importing the package imports nothing (the CLI's --log-format must stay cheap): import the
module you need, e.g. `from hrbot.ops.routes import operations, ops_routes`."""
