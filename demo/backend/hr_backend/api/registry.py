"""Every endpoint of the backend, in the order the README and the OpenAPI spec list them."""

from __future__ import annotations

from hr_backend.api import (
    admin,
    crm,
    crm_attribution,
    erp,
    hrm_disputes,
    hrm_people,
    hrm_records,
    hrm_talent,
    oa_leave,
    oa_meetings,
    oa_work,
    pms,
)
from hr_backend.api.endpoint import Endpoint

ENDPOINTS: tuple[Endpoint, ...] = (
    *admin.ENDPOINTS,
    *hrm_people.ENDPOINTS,
    *hrm_records.ENDPOINTS,
    *hrm_talent.ENDPOINTS,
    *hrm_disputes.ENDPOINTS,
    *erp.ENDPOINTS,
    *oa_leave.ENDPOINTS,
    *oa_work.ENDPOINTS,
    *oa_meetings.ENDPOINTS,
    *crm.ENDPOINTS,
    *crm_attribution.ENDPOINTS,
    *pms.ENDPOINTS,
)
