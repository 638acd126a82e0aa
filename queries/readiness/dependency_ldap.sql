-- id: dependency_ldap
-- title: LDAP clients that use MFA Server
-- severity: warning
-- why: MFA Server acts as an LDAP proxy for these clients, mostly for in-line password changes. They keep
--   needing MFA Server until they are moved.
-- remediation: Move password changes to Entra self-service password reset, or the LDAP clients to Entra Domain
--   Services (or RADIUS with the NPS extension).
SELECT
  'service' AS subject_type,
  lower(a.service) || '/' || coalesce(a.name, '') AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('{}{}: {}', coalesce(nullif(a.name, ''), a.service),
         CASE WHEN nullif(trim(a.detail), '') IS NULL THEN '' ELSE format(' ({})', trim(a.detail)) END,
         'move to Entra self-service password reset or Entra Domain Services') AS detail
FROM mfa_auth_services a
WHERE lower(a.service) = 'ldap' AND a.enabled
ORDER BY subject_id;
