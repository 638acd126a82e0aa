-- id: federation_ready_to_cut_over
-- title: Federated domains ready for the MFA cut-over
-- severity: info
-- why: Every counted user's data is in Entra, but the domain still lets the federated IdP (AD FS with MFA
--   Server) do MFA. The last step of the migration is to make Entra perform MFA for everyone.
-- remediation: Once the dependencies are moved off MFA Server, set federatedIdpMfaBehavior =
--   rejectMfaByFederatedIdp (takes up to 24 hours) and turn Staged Rollout for MFA off. Rollback:
--   enforceMfaByFederatedIdp.
SELECT
  'domain' AS subject_type,
  d.id AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('all {} user(s) migrated; {} still has federatedIdpMfaBehavior = {}', g.users, d.id,
         coalesce(d.federated_idp_mfa_behavior, 'unset (acceptIfMfaDoneByFederatedIdp)')) AS detail
FROM entra_domains d
CROSS JOIN rd_progress g
WHERE lower(d.authentication_type) = 'federated'
  AND coalesce(d.federated_idp_mfa_behavior, '') <> 'rejectMfaByFederatedIdp'
  AND g.pending = 0
ORDER BY d.id;
