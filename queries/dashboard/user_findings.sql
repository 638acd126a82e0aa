-- One user's stored readiness findings (every check), for the per-user view.
SELECT check_id, subject_type, subject_id, detail
FROM dashboard_findings
WHERE user_id = $user_id
ORDER BY check_id, subject_id
