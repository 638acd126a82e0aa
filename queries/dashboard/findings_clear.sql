-- Drop the previously stored findings (the report they belonged to is being replaced).
DELETE FROM dashboard_findings
