-- id: methods_policy_unknown
-- title: The tenant snapshot has no authentication methods policy
-- severity: warning
-- why: Without the policy the simulator assumes every method is allowed, so default-method fallbacks,
--   office-phone and "method not enabled" findings cannot be predicted.
-- remediation: Take the snapshot again with Policy.Read.All consent (mfa-migrate snapshot), or add
--   policies.json with the authenticationMethodsPolicy by hand.
SELECT
  'tenant' AS subject_type,
  coalesce(t.tenant_id, '') AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('unknown: the snapshot taken {} ({}) has no authenticationMethodsPolicy ({}); every method is '
         'assumed allowed',
         coalesce(t.taken_at, 'at an unknown time'), coalesce(t.source, 'unknown source'),
         coalesce(n.reason, 'not read')) AS detail
FROM tenant_info t
LEFT JOIN entra_not_read n ON n.what = 'methods_policy'
WHERE NOT t.has_methods_policy;
