-- id: dependency_radius
-- title: RADIUS clients that use MFA Server
-- severity: warning
-- why: MFA Server acts as a RADIUS proxy for these clients (VPNs, gateways). They keep needing MFA Server
--   until they are moved; Entra has no RADIUS endpoint of its own.
-- remediation: Federate the client to Entra with SAML or OIDC where it supports it; otherwise put NPS with the
--   Entra MFA NPS extension in front (no Conditional Access, default method only, users must be
--   registered first).
SELECT
  'service' AS subject_type,
  lower(a.service) || '/' || coalesce(a.name, '') AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('{}{}: {}', coalesce(nullif(a.name, ''), a.service),
         CASE WHEN nullif(trim(a.detail), '') IS NULL THEN '' ELSE format(' ({})', trim(a.detail)) END,
         'move to SAML/OIDC, or NPS with the Entra MFA NPS extension') AS detail
FROM mfa_auth_services a
WHERE lower(a.service) = 'radius' AND a.enabled
ORDER BY subject_id;
