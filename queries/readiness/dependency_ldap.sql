-- id: dependency_ldap
-- title: LDAP clients that use MFA Server
-- severity: warning
-- why: MFA Server acts as an LDAP proxy for these clients, mostly for in-line password changes. They keep
--   needing MFA Server until they are moved.
-- remediation: Move password changes to Entra self-service password reset, or the LDAP clients to Entra Domain
--   Services (or RADIUS with the NPS extension).
SELECT subject_type, subject_id, user_id, username, upn,
       label || ': move to Entra self-service password reset or Entra Domain Services' AS detail
FROM rd_services
WHERE service = 'ldap'
ORDER BY subject_id;
