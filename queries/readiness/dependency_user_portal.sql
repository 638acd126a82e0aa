-- id: dependency_user_portal
-- title: The MFA Server User Portal is in use
-- severity: info
-- why: Users manage their phones and devices in the User Portal. Edits there are synced to Entra while the
--   migration runs, but once users manage methods in Entra the portal becomes a second, stale copy.
-- remediation: Keep the portal while RADIUS/LDAP clients still use MFA Server; afterwards redirect it to
--   aka.ms/mfasetup and clear "Allow users to log in".
SELECT
  'service' AS subject_type,
  lower(a.service) || '/' || coalesce(a.name, '') AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('{}{}: {}', coalesce(nullif(a.name, ''), a.service),
         CASE WHEN nullif(trim(a.detail), '') IS NULL THEN '' ELSE format(' ({})', trim(a.detail)) END,
         'replace with combined registration at aka.ms/mfasetup') AS detail
FROM mfa_auth_services a
WHERE lower(a.service) = 'user_portal' AND a.enabled
ORDER BY subject_id;
