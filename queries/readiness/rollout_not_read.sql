-- id: rollout_not_read
-- title: Staged Rollout was not read: who is routed to cloud MFA is unknown
-- severity: warning
-- why: Graph lets only a delegated token read Staged Rollout policies, so a snapshot taken with an
--   application token (or without policies.json) does not know them. Not read is not "nobody": users
--   routed to cloud MFA before their migration (rollout_users_not_migrated) cannot be found.
-- remediation: Take the snapshot again with a delegated token (mfa-migrate snapshot with device-code sign-in, as a
--   Hybrid Identity Administrator), or add featureRolloutPolicies to policies.json by hand.
SELECT
  'tenant' AS subject_type,
  'staged_rollout' AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('unknown: {}', n.reason) AS detail
FROM entra_not_read n
WHERE n.what = 'staged_rollout';
