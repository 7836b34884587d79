"""The five HR systems acting for one employee: what an action holds while it runs.

async with connect() as client:
    employee = await identities.resolve(tracker.sender_id, tracker.get_latest_input_channel(), client)
    hr = HRSession(client, employee.employee_id)
    balances = await hr.hrm.leave_balances(leave_type="annual")
"""

from __future__ import annotations

from actions.audit import AuditLog
from actions.connectors.client import HRSystemsClient, SystemCall
from actions.connectors.config import SystemsConfig, load_systems_config
from actions.connectors.crm import Crm
from actions.connectors.erp import Erp
from actions.connectors.hrm import Hrm
from actions.connectors.oa import Oa
from actions.connectors.pms import Pms


class HRSession:
    """HRM, ERP, OA, CRM and PMS, every call made on behalf of `employee_id`."""

    def __init__(self, client: HRSystemsClient, employee_id: str) -> None:
        if not employee_id:
            raise ValueError("an HR session needs the acting employee's id (resolve the sender first)")
        self.employee_id = employee_id
        self.hrm = Hrm(SystemCall(client, "hrm", employee_id))
        self.erp = Erp(SystemCall(client, "erp", employee_id))
        self.oa = Oa(SystemCall(client, "oa", employee_id))
        self.crm = Crm(SystemCall(client, "crm", employee_id))
        self.pms = Pms(SystemCall(client, "pms", employee_id))


def connect(config: SystemsConfig | None = None, audit: AuditLog | None = None) -> HRSystemsClient:
    """A client from endpoints.yml/the environment, auditing to $HRBOT_AUDIT_LOG by default.
    Use it as `async with connect() as client:` so its connections are closed."""
    return HRSystemsClient(config or load_systems_config(), audit=audit or AuditLog.from_env())
