-- id: federation_reject_too_early
-- title: Federated domains already rejecting on-premises MFA while users are not migrated
-- severity: blocker
-- why: federatedIdpMfaBehavior = rejectMfaByFederatedIdp makes Entra perform MFA for everyone in the
--   domain, Staged Rollout or not. Users whose data is not yet in Entra cannot complete MFA.
-- remediation: Set federatedIdpMfaBehavior back to enforceMfaByFederatedIdp until every user is migrated
--   (it can take up to 24 hours to apply), then cut over.
SELECT
  'domain' AS subject_type,
  d.id AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('{} rejects MFA by the federated IdP while {} of {} user(s) are not migrated',
         d.id, g.pending, g.users) AS detail
FROM entra_domains d
CROSS JOIN rd_progress g
WHERE lower(d.authentication_type) = 'federated'
  AND d.federated_idp_mfa_behavior = 'rejectMfaByFederatedIdp'
  AND g.pending > 0
ORDER BY d.id;
