-- id: dependency_mobile_app_ws
-- title: The Mobile App Web Service is installed
-- severity: info
-- why: From MFA Server 8.0 on, the Mobile App Web Service is no longer needed; it is a leftover that must
--   go with the server.
-- remediation: Remove it when decommissioning MFA Server (before 8.0 it also needs the Phone App Web Service).
SELECT
  'service' AS subject_type,
  lower(a.service) || '/' || coalesce(a.name, '') AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('{}{}: {}', coalesce(nullif(a.name, ''), a.service),
         CASE WHEN nullif(trim(a.detail), '') IS NULL THEN '' ELSE format(' ({})', trim(a.detail)) END,
         'not needed from MFA Server 8.0 on; remove at decommissioning') AS detail
FROM mfa_auth_services a
WHERE lower(a.service) = 'mobile_app_ws' AND a.enabled
ORDER BY subject_id;
