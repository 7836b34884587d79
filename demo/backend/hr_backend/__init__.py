"""The demo company's backend: one HTTP service standing in for its five systems.

HRM (people, leave balances, payroll, attendance, training, hiring, performance), ERP
(reimbursements, welfare, material requests), OA (leave requests, punch corrections, other
approvals, meeting rooms), CRM (customer-service accounts, shifts, sessions) and PMS (projects).
Reads come from the demo's ``company.json``; writes go to the backend's own SQLite database.
The service checks access rights and the employee handbook's rules itself.

Importing the package does nothing; build the app with :func:`hr_backend.app.create_app`, or run
``python -m hr_backend --help``. The package does not depend on hrbot.
"""

__version__ = "0.1.0"
