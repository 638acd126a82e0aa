-- Store a report's findings (registered by the caller as dashboard_new_findings).
INSERT INTO dashboard_findings
SELECT check_id, subject_type, subject_id, CAST(user_id AS BIGINT), username, upn, detail FROM dashboard_new_findings
