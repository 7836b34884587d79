"""The project's endpoints.yml (Rasa 3.x format): where the action server, the tracker store,
the lock store, the event broker, the model server and the NLG server are.

Every section becomes an `EndpointConfig` that remembers where it was written, so that a store
which cannot reach its database can still point at the line to fix. `${NAME}` in any string is
replaced by the environment variable NAME, as Rasa does; an unset variable is a problem naming
the variable and the line.

What hrbot does with each section:

    action_endpoint  url of the rasa_sdk action server (http/https), token, timeout, headers
    tracker_store    absent -> hrbot's default (SQLite file in the project); `type: sql` with
                     dialect/url/port/db/username/password/query/login_db (Rasa's keys, plus
                     `schema`); `type: postgresql`; no type but a full SQLAlchemy `url:`;
                     `type: memory` (or `in_memory`) -> kept in memory only
    lock_store       absent / `memory` / `in_memory`; `redis` with Rasa's RedisLockStore keys
                     (url (host or redis:// URL), port, db, username, password, use_ssl,
                     ssl_keyfile/ssl_certfile/ssl_ca_certs, key_prefix, socket_timeout) plus
                     `lock_lifetime` (seconds a dead process's ticket blocks a conversation)
    event_broker     `type: pika` (or no type, as in Rasa) with Rasa's PikaEventBroker keys (url
                     (host or amqp:// URL), port, username, password, queues / queue,
                     exchange_name, raise_on_failure, should_keep_unpublished_messages,
                     connection_attempts, retry_delay_in_seconds) plus `buffer_folder` (where
                     events wait on disk while RabbitMQ is down) and `publish_timeout`;
                     Kafka and SQL brokers are refused
    models, nlg, nlu recorded; their url must be http/https

Types are normalised: memory stores get `type="memory"`, SQL tracker stores `type="sql"` with
`kwargs["dialect"]` set. Sections hrbot does not know (e.g. Rasa Pro's) are listed in
`Endpoints.ignored_sections` and otherwise left alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from hrbot.shared.environment import EnvironmentExpander
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.problems import Location, Problem
from hrbot.shared.yaml_reader import YamlDocument, line_of, parse_yaml_text, read_yaml_file

MEMORY_TYPE = "memory"
SQL_TYPE = "sql"
REDIS_TYPE = "redis"
PIKA_TYPE = "pika"
DEFAULT_SQL_DIALECT = "sqlite"
DEFAULT_SQL_DB = "rasa.db"  # Rasa's default when `type: sql` names no `db`

_MEMORY_NAMES = {"memory", "in_memory", "inmemory", "in-memory"}
_POSTGRES_NAMES = {"postgresql", "postgres"}
_RASA_ONLY_TRACKER_STORES = {"redis", "mongod", "mongo", "dynamo"}
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_RASA_ONLY_EVENT_BROKERS = {"kafka", "sql"}
_KEY_PREFIX = re.compile(r"^[A-Za-z0-9_\-]+$")
_RESERVED_KEYS = ("type", "store_type", "url", "token", "token_name", "params", "headers",
                  "basic_auth", "cafile")


@dataclass(frozen=True)
class EndpointConfig:
    """One section of endpoints.yml, as Rasa's `EndpointConfig`: the well-known keys as fields,
    everything else in `kwargs` (e.g. a SQL store's `dialect`, `db`, `port`)."""

    type: str | None = None
    url: str | None = None
    token: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    kwargs: dict[str, Any] = field(default_factory=dict)
    source: Location | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    token_name: str = "token"
    basic_auth: dict[str, Any] | None = None
    cafile: str | None = None

    def timeout(self, default: float) -> float:
        """The `timeout` key in seconds (validated when read), else `default`."""
        value = self.kwargs.get("timeout")
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default

    def where(self) -> str:
        """Where this section was written, for error messages ("endpoints.yml:12")."""
        return str(self.source) if self.source else "endpoints.yml"


@dataclass(frozen=True)
class Endpoints:
    """endpoints.yml; a section left out is None (hrbot's default applies)."""

    action_endpoint: EndpointConfig | None = None
    tracker_store: EndpointConfig | None = None
    lock_store: EndpointConfig | None = None
    event_broker: EndpointConfig | None = None
    models: EndpointConfig | None = None
    nlg: EndpointConfig | None = None
    nlu: EndpointConfig | None = None
    path: str | None = None
    ignored_sections: tuple[str, ...] = ()


class _Reader:
    """Reads one endpoints document, collecting every problem."""

    def __init__(self, document: YamlDocument, environ: Mapping[str, str]) -> None:
        self.document = document
        self.environ = environ
        self.problems: list[Problem] = []
        self.expander = EnvironmentExpander(environ, self.problem, "endpoints.yml")

    def problem(self, line: int, message: str, hint: str | None = None) -> None:
        self.problems.append(self.document.problem(line, message, hint))

    # -- ${ENV} substitution -------------------------------------------------------------------

    def expand(self, value: Any, line: int) -> Any:
        """`value` with `${NAME}` replaced in every string, recursively."""
        return self.expander.expand(value, line)

    def expand_text(self, text: str, line: int) -> str:
        return self.expander.expand_text(text, line)

    # -- sections -------------------------------------------------------------------------------

    def section(self, data: dict[str, Any], name: str) -> EndpointConfig | None:
        """The generic part of every section: Rasa's well-known keys and `kwargs`."""
        raw = data[name]
        line = line_of(data, name)
        if raw is None:
            return None
        if not isinstance(raw, dict):
            self.problem(line, f"'{name}' must be a mapping of keys such as 'url' and 'type', "
                               f"not {type(raw).__name__}", f"write '{name}:' followed by indented keys")
            return None
        values = self.expand(raw, line)
        text_fields: dict[str, str | None] = {}
        for key in ("type", "store_type", "url", "token", "token_name", "cafile"):
            value = values.get(key)
            if isinstance(value, bool) or (value is not None and not isinstance(value, str | int | float)):
                self.problem(line_of(raw, key, line), f"'{name}.{key}' must be a string")
                value = None
            text_fields[key] = None if value is None else str(value)
        mappings: dict[str, dict[str, Any] | None] = {}
        for key in ("params", "headers", "basic_auth"):
            value = values.get(key)
            if value is not None and not isinstance(value, dict):
                self.problem(line_of(raw, key, line), f"'{name}.{key}' must be a mapping")
                value = None
            mappings[key] = value
        kind = text_fields["type"] or text_fields["store_type"]
        return EndpointConfig(
            type=kind.strip() if kind else None,
            url=text_fields["url"],
            token=text_fields["token"],
            params=dict(mappings["params"] or {}),
            kwargs={key: value for key, value in values.items() if key not in _RESERVED_KEYS},
            source=Location(self.document.path, line or None),
            headers=dict(mappings["headers"] or {}),
            token_name=text_fields["token_name"] or "token",
            basic_auth=mappings["basic_auth"],
            cafile=text_fields["cafile"],
        )

    def http_url(self, data: dict[str, Any], name: str, config: EndpointConfig, *, required: bool,
                 example: str) -> None:
        section_line = line_of(data, name)
        line = line_of(data[name], "url", section_line) if "url" in data[name] else section_line
        if config.url is None:
            if required:
                self.problem(line, f"'{name}' has no 'url'", f"add 'url: {example}'")
            return
        if not is_http_url(config.url):
            self.problem(line, f"'{name}.url' is not an http(s) URL: {config.url!r}",
                         f"write a full URL such as {example}")

    def timeout(self, data: dict[str, Any], name: str, config: EndpointConfig) -> None:
        if "timeout" not in config.kwargs:
            return
        value = config.kwargs["timeout"]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            self.problem(line_of(data[name], "timeout", line_of(data, name)),
                         f"'{name}.timeout' must be a positive number of seconds, got {value!r}",
                         "write e.g. 'timeout: 30'")

    def action_endpoint(self, data: dict[str, Any]) -> EndpointConfig | None:
        config = self.section(data, "action_endpoint")
        if config is None:
            return None
        needs_url = "actions_module" not in config.kwargs
        self.http_url(data, "action_endpoint", config, required=needs_url,
                      example="http://localhost:5055/webhook")
        self.timeout(data, "action_endpoint", config)
        return config

    def url_section(self, data: dict[str, Any], name: str, example: str) -> EndpointConfig | None:
        config = self.section(data, name)
        if config is None:
            return None
        required = name != "nlg" or config.type in (None, "callback")
        self.http_url(data, name, config, required=required, example=example)
        self.timeout(data, name, config)
        return config

    def tracker_store(self, data: dict[str, Any]) -> EndpointConfig | None:
        config = self.section(data, "tracker_store")
        if config is None:
            return None
        raw: dict[str, Any] = data["tracker_store"]
        line = line_of(data, "tracker_store")
        type_line = line_of(raw, "type", line_of(raw, "store_type", line))
        kind = (config.type or "").lower()
        kwargs = dict(config.kwargs)
        if kind in _MEMORY_NAMES:
            return replace(config, type=MEMORY_TYPE)
        if kind in _POSTGRES_NAMES:
            kwargs.setdefault("dialect", "postgresql")
        elif kind == SQL_TYPE:
            pass
        elif kind in _RASA_ONLY_TRACKER_STORES:
            self.problem(type_line, f"tracker store type '{config.type}' is not supported by hrbot",
                         "use 'type: sql' (SQLite or PostgreSQL) or 'type: memory'")
            return None
        elif kind:
            self.problem(type_line, f"unknown tracker store type '{config.type}'",
                         "use 'type: sql' with 'dialect: postgresql' (or sqlite), 'type: postgresql' "
                         "or 'type: memory'; custom tracker store classes are not supported")
            return None
        elif config.url is not None and _URL_SCHEME.match(config.url):
            pass
        elif config.url is not None:
            self.problem(line_of(raw, "url", line), f"tracker_store has a url ({config.url!r}) but no type",
                         "add 'type: sql' and 'dialect: postgresql', or write a full URL such as "
                         "postgresql://user@host:5432/db (in Rasa a store without type is Redis)")
            return None
        elif "dialect" not in kwargs:
            if kwargs:
                self.problem(line, "tracker_store has no 'type'",
                             "add 'type: sql' (or 'type: memory'), or remove the section for the default")
            return None
        kwargs.setdefault("dialect", DEFAULT_SQL_DIALECT)
        self.sql_options(raw, line, kwargs)
        return replace(config, type=SQL_TYPE, kwargs=kwargs)

    def sql_options(self, raw: dict[str, Any], line: int, kwargs: dict[str, Any]) -> None:
        """Check and normalise the SQL keys in place: strings for names, an int port."""
        for key in ("dialect", "db", "username", "password", "login_db", "schema"):
            value = kwargs.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                self.problem(line_of(raw, key, line), f"'tracker_store.{key}' must be a string")
            else:
                kwargs[key] = str(value)
        if not str(kwargs.get("dialect") or "").strip():
            self.problem(line_of(raw, "dialect", line), "'tracker_store.dialect' is empty",
                         "write e.g. 'dialect: postgresql' or 'dialect: sqlite'")
        port = kwargs.get("port")
        if port is not None:
            parsed = _port(port)
            if parsed is None:
                self.problem(line_of(raw, "port", line),
                             f"'tracker_store.port' must be a port number, got {port!r}",
                             "write e.g. 'port: 5432'")
            else:
                kwargs["port"] = parsed
        query = kwargs.get("query")
        if query is not None:
            if not isinstance(query, dict) or not all(
                isinstance(v, str | int | float) and not isinstance(v, bool) for v in query.values()
            ):
                self.problem(line_of(raw, "query", line),
                             "'tracker_store.query' must be a mapping of URL query options to strings",
                             "write e.g. 'query: {sslmode: require}'")
            else:
                kwargs["query"] = {str(k): str(v) for k, v in query.items()}

    def lock_store(self, data: dict[str, Any]) -> EndpointConfig | None:
        config = self.section(data, "lock_store")
        if config is None:
            return None
        kind = (config.type or "").lower()
        if not kind or kind in _MEMORY_NAMES:
            return replace(config, type=MEMORY_TYPE)
        raw: dict[str, Any] = data["lock_store"]
        line = line_of(data, "lock_store")
        if kind == REDIS_TYPE:
            kwargs = dict(config.kwargs)
            self.port_option(raw, line, "lock_store", kwargs)
            self.check_options(raw, line, "lock_store", kwargs, {
                "db": _NON_NEGATIVE_INT, "username": _TEXT, "password": _TEXT, "use_ssl": _BOOL,
                "ssl_keyfile": _TEXT, "ssl_certfile": _TEXT, "ssl_ca_certs": _TEXT,
                "key_prefix": _TEXT, "socket_timeout": _POSITIVE, "lock_lifetime": _POSITIVE,
            })
            prefix = kwargs.get("key_prefix")
            if isinstance(prefix, str) and not _KEY_PREFIX.match(prefix):
                self.problem(line_of(raw, "key_prefix", line),
                             f"'lock_store.key_prefix' may only hold letters, digits, '_' and '-', "
                             f"got {prefix!r}", "write e.g. 'key_prefix: hrbot'")
            if config.url and "://" in config.url and urlsplit(config.url).scheme not in ("redis", "rediss"):
                self.problem(line_of(raw, "url", line),
                             f"'lock_store.url' is not a Redis URL: {config.url!r}",
                             "write the host (url: localhost) or a URL such as redis://localhost:6379/1")
            return replace(config, type=REDIS_TYPE, kwargs=kwargs)
        self.problem(line_of(raw, "type", line_of(raw, "store_type", line)),
                     f"unknown lock store type '{config.type}'",
                     "use 'type: in_memory' or 'type: redis'; custom lock stores are not supported")
        return None

    def event_broker(self, data: dict[str, Any]) -> EndpointConfig | None:
        """Rasa's event broker section; only RabbitMQ (`pika`) is supported. As in Rasa, a
        section without a type is a pika broker."""
        config = self.section(data, "event_broker")
        if config is None:
            return None
        raw: dict[str, Any] = data["event_broker"]
        line = line_of(data, "event_broker")
        type_line = line_of(raw, "type", line_of(raw, "store_type", line))
        kind = (config.type or PIKA_TYPE).lower()
        if kind in _RASA_ONLY_EVENT_BROKERS:
            self.problem(type_line, f"event broker type '{config.type}' is not supported by hrbot",
                         "use 'type: pika' (RabbitMQ), or remove the section")
            return None
        if kind != PIKA_TYPE:
            self.problem(type_line, f"unknown event broker type '{config.type}'",
                         "use 'type: pika' (RabbitMQ); custom event broker classes are not supported")
            return None
        kwargs = dict(config.kwargs)
        self.port_option(raw, line, "event_broker", kwargs)
        self.check_options(raw, line, "event_broker", kwargs, {
            "username": _TEXT, "password": _TEXT, "queue": _TEXT, "exchange_name": _TEXT,
            "raise_on_failure": _BOOL, "should_keep_unpublished_messages": _BOOL,
            "connection_attempts": _POSITIVE_INT, "retry_delay_in_seconds": _POSITIVE,
            "buffer_folder": _TEXT, "publish_timeout": _POSITIVE,
        })
        queues = kwargs.get("queues")
        if queues is not None and not (
            (isinstance(queues, str) and queues)
            or (isinstance(queues, list) and queues and all(isinstance(q, str) and q for q in queues))
        ):
            self.problem(line_of(raw, "queues", line),
                         "'event_broker.queues' must be a list of queue names",
                         "write e.g. 'queues: [hrbot_events]'")
        if config.url and "://" in config.url and urlsplit(config.url).scheme not in ("amqp", "amqps"):
            self.problem(line_of(raw, "url", line), f"'event_broker.url' is not an AMQP URL: {config.url!r}",
                         "write the host (url: localhost) or a URL such as amqp://localhost:5672")
        return replace(config, type=PIKA_TYPE, kwargs=kwargs)

    def port_option(self, raw: dict[str, Any], line: int, section: str, kwargs: dict[str, Any]) -> None:
        """Normalise `kwargs["port"]` to an int, or report it."""
        if kwargs.get("port") is None:
            return
        parsed = _port(kwargs["port"])
        if parsed is None:
            self.problem(line_of(raw, "port", line),
                         f"'{section}.port' must be a port number, got {kwargs['port']!r}")
        else:
            kwargs["port"] = parsed

    def check_options(self, raw: dict[str, Any], line: int, section: str, kwargs: dict[str, Any],
                      kinds: dict[str, str]) -> None:
        """Report every option of `kwargs` whose value is not of its kind in `kinds`; numbers
        written as strings ("30") are accepted and converted, as ${ENV} values are strings."""
        for key, kind in kinds.items():
            value = kwargs.get(key)
            if value is None:
                continue
            converted = _convert(value, kind)
            if converted is None:
                self.problem(line_of(raw, key, line),
                             f"'{section}.{key}' must be {_KIND_TEXT[kind]}, got {value!r}")
            else:
                kwargs[key] = converted


_TEXT = "text"
_BOOL = "bool"
_POSITIVE = "positive"
_POSITIVE_INT = "positive_int"
_NON_NEGATIVE_INT = "non_negative_int"
_KIND_TEXT = {
    _TEXT: "a string", _BOOL: "true or false", _POSITIVE: "a positive number",
    _POSITIVE_INT: "a positive whole number", _NON_NEGATIVE_INT: "a whole number (0 or more)",
}


def _convert(value: Any, kind: str) -> Any:
    """`value` as `kind`, or None when it is not one."""
    if kind == _TEXT:
        return str(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None
    if kind == _BOOL:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower() if isinstance(value, str) else None
        return {"true": True, "false": False}.get(text) if text else None
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip()) if kind == _POSITIVE else int(value.strip())
        except ValueError:
            return None
    if kind == _POSITIVE:
        return value if isinstance(value, int | float) and value > 0 else None
    if not isinstance(value, int):
        return None
    minimum = 1 if kind == _POSITIVE_INT else 0
    return value if value >= minimum else None


def _port(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 0 < value < 65536:
        return value
    return None


def is_http_url(url: str) -> bool:
    """Whether `url` is an absolute http or https URL with a host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def endpoints_from_document(
    document: YamlDocument, environ: Mapping[str, str] | None = None
) -> Endpoints:
    """The endpoints of a parsed endpoints.yml; raises InvalidProjectError with every problem."""
    data = document.data
    if data is None:
        return Endpoints(path=document.path)
    if not isinstance(data, dict):
        raise InvalidProjectError(
            [document.problem(1, "endpoints.yml must be a mapping of sections such as 'action_endpoint'")]
        )
    reader = _Reader(document, os.environ if environ is None else environ)
    readers: dict[str, Callable[[dict[str, Any]], EndpointConfig | None]] = {
        "action_endpoint": reader.action_endpoint,
        "tracker_store": reader.tracker_store,
        "lock_store": reader.lock_store,
        "event_broker": reader.event_broker,
        "models": lambda d: reader.url_section(d, "models", "http://localhost:8080/models/model.tar.gz"),
        "nlg": lambda d: reader.url_section(d, "nlg", "http://localhost:5056/nlg"),
        "nlu": lambda d: reader.url_section(d, "nlu", "http://localhost:5005"),
    }
    sections = {name: read(data) if name in data else None for name, read in readers.items()}
    if reader.problems:
        raise InvalidProjectError(reader.problems)
    return Endpoints(
        action_endpoint=sections["action_endpoint"],
        tracker_store=sections["tracker_store"],
        lock_store=sections["lock_store"],
        event_broker=sections["event_broker"],
        models=sections["models"],
        nlg=sections["nlg"],
        nlu=sections["nlu"],
        path=document.path,
        ignored_sections=tuple(str(key) for key in data if key not in readers),
    )


def read_endpoints(path: Path | str | None, *, environ: Mapping[str, str] | None = None) -> Endpoints:
    """endpoints.yml at `path`; a missing file (or None) gives all defaults, as in Rasa."""
    if path is None or not Path(path).is_file():
        return Endpoints()
    return endpoints_from_document(read_yaml_file(path), environ)


def parse_endpoints(
    text: str, path: str = "endpoints.yml", *, environ: Mapping[str, str] | None = None
) -> Endpoints:
    """endpoints.yml from text (for tests and tools)."""
    return endpoints_from_document(parse_yaml_text(text, path), environ)
