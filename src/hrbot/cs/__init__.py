"""Customer-service attribution and performance pool (handbook 7.2).

Agents share platform accounts (JD, Vipshop), so a session's agent is not recorded anywhere.
This package works out who handled each session from the evidence the data holds, then turns
the attributed sessions into per-agent KPIs, a performance-pool allocation and a report.

    records      the cs_* tables as frozen dataclasses
    loading      company.json(-shaped data) -> CsData, every problem reported at once
    nicknames    signatures ("我是客服小禾") found in the first agent message, with variants
    presence     who was logged in to an account at a moment, and who probably was
    style        the learned tie-breaker: a naive Bayes model of each agent's habits
    tiebreak     the registry of tie-breakers (learned and rules) for overlapping logins
    attribution  the result types written to attribution JSON
    engine       evidence -> one Attribution per session
    period       the reporting period (whole local days)
    kpi, pool    per-agent KPIs and the exact-to-the-cent pool allocation
    explain      the per-agent account of how a figure was reached
    charts, report_csv, report_html, report   the HR report
    synthetic, evaluation   constructed data with known answers, and scoring against it

Importing the package does nothing; the modules are imported where used.
"""
