-- id: dependency_windows
-- title: Windows (Terminal Services) logons that use MFA Server
-- severity: warning
-- why: MFA Server's Windows Authentication protects RDP and console logons. Entra MFA does not replace it
--   directly.
-- remediation: Use the NPS extension with Remote Desktop Gateway, or Windows Hello for Business / passkeys for
--   the logons, before decommissioning MFA Server.
SELECT subject_type, subject_id, user_id, username, upn,
       label || ': move RDP to RD Gateway with the NPS extension, or to Windows Hello for Business' AS detail
FROM rd_services
WHERE service = 'windows'
ORDER BY subject_id;
