"""Connectors to the company's HR systems (HRM, ERP, OA, CRM, PMS) for the bot's actions.

`config` reads where the systems are, `client` makes audited calls with retries for reads and
turns failures into `errors`, `hrm`/`erp`/`oa`/`crm`/`pms` wrap each system's endpoints, and
`session.HRSession` bundles them for one acting employee. Importing this package does nothing.
"""

from actions.connectors.client import JSON, HRSystemsClient, SystemCall
from actions.connectors.config import SYSTEM_NAMES, SYSTEMS, ConfigError, SystemsConfig, load_systems_config
from actions.connectors.erp import ClaimInput
from actions.connectors.errors import (
    BadRequest,
    ConnectorError,
    NotAuthorized,
    NotFound,
    RequestRefused,
    SystemTimeout,
    SystemUnavailable,
)
from actions.connectors.oa import LeaveInput, MeetingInput
from actions.connectors.session import HRSession, connect

__all__ = [
    "JSON",
    "SYSTEMS",
    "SYSTEM_NAMES",
    "BadRequest",
    "ClaimInput",
    "ConfigError",
    "ConnectorError",
    "HRSession",
    "HRSystemsClient",
    "LeaveInput",
    "MeetingInput",
    "NotAuthorized",
    "NotFound",
    "RequestRefused",
    "SystemCall",
    "SystemTimeout",
    "SystemUnavailable",
    "SystemsConfig",
    "connect",
    "load_systems_config",
]
