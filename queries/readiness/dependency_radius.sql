-- id: dependency_radius
-- title: RADIUS clients that use MFA Server
-- severity: warning
-- why: MFA Server acts as a RADIUS proxy for these clients (VPNs, gateways). They keep needing MFA Server
--   until they are moved; Entra has no RADIUS endpoint of its own.
-- remediation: Federate the client to Entra with SAML or OIDC where it supports it; otherwise put NPS with the
--   Entra MFA NPS extension in front (no Conditional Access, default method only, users must be
--   registered first).
SELECT subject_type, subject_id, user_id, username, upn,
       label || ': move to SAML/OIDC, or NPS with the Entra MFA NPS extension' AS detail
FROM rd_services
WHERE service = 'radius'
ORDER BY subject_id;
