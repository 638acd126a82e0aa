-- id: dependency_windows
-- title: Windows (Terminal Services) logons that use MFA Server
-- severity: warning
-- why: MFA Server's Windows Authentication protects RDP and console logons. Entra MFA does not replace it
--   directly.
-- remediation: Use the NPS extension with Remote Desktop Gateway, or Windows Hello for Business / passkeys for
--   the logons, before decommissioning MFA Server.
SELECT
  'service' AS subject_type,
  lower(a.service) || '/' || coalesce(a.name, '') AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('{}{}: {}', coalesce(nullif(a.name, ''), a.service),
         CASE WHEN nullif(trim(a.detail), '') IS NULL THEN '' ELSE format(' ({})', trim(a.detail)) END,
         'move RDP to RD Gateway with the NPS extension, or to Windows Hello for Business') AS detail
FROM mfa_auth_services a
WHERE lower(a.service) = 'windows' AND a.enabled
ORDER BY subject_id;
