-- id: federation_not_enforcing
-- title: Federated domains not sending MFA to the IdP during the migration
-- severity: warning
-- why: During the migration Microsoft's guidance is federatedIdpMfaBehavior = enforceMfaByFederatedIdp:
--   users outside Staged Rollout keep doing MFA on AD FS with MFA Server. With the default
--   (acceptIfMfaDoneByFederatedIdp, also when unset) Entra prompts for cloud MFA whenever AD FS did not,
--   including users whose methods are not migrated yet.
-- remediation: PATCH the domain's federationConfiguration with federatedIdpMfaBehavior =
--   enforceMfaByFederatedIdp (Graph beta, Domain-InternalFederation.ReadWrite.All) for the migration.
SELECT
  'domain' AS subject_type,
  d.id AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('{} has federatedIdpMfaBehavior = {} while {} of {} user(s) are not migrated', d.id,
         coalesce(d.federated_idp_mfa_behavior, 'unset (acceptIfMfaDoneByFederatedIdp)'), g.pending, g.users) AS detail
FROM entra_domains d
CROSS JOIN rd_progress g
WHERE lower(d.authentication_type) = 'federated'
  AND coalesce(d.federated_idp_mfa_behavior, 'acceptIfMfaDoneByFederatedIdp')
      NOT IN ('enforceMfaByFederatedIdp', 'rejectMfaByFederatedIdp')
  AND g.pending > 0
ORDER BY d.id;
