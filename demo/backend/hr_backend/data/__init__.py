"""The company's data: company.json (read-only), the work calendar and the database of writes."""
