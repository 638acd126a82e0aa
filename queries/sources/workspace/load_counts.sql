-- Rows per table after a load, in the order `mfa-migrate load` prints them.
SELECT 'mfa_users' AS "table", count(*) AS "rows" FROM mfa_users
UNION ALL SELECT 'mfa_devices', count(*) FROM mfa_devices
UNION ALL SELECT 'mfa_phones', count(*) FROM mfa_phones
UNION ALL SELECT 'mfa_user_extra', count(*) FROM mfa_user_extra
UNION ALL SELECT 'mfa_settings', count(*) FROM mfa_settings
UNION ALL SELECT 'mfa_auth_services', count(*) FROM mfa_auth_services
UNION ALL SELECT 'mfa_meta', count(*) FROM mfa_meta
UNION ALL SELECT 'tenant_info', count(*) FROM tenant_info
UNION ALL SELECT 'entra_users', count(*) FROM entra_users
UNION ALL SELECT 'entra_methods', count(*) FROM entra_methods
UNION ALL SELECT 'entra_groups', count(*) FROM entra_groups
UNION ALL SELECT 'entra_group_members', count(*) FROM entra_group_members
UNION ALL SELECT 'entra_group_transitive_users', count(*) FROM entra_group_transitive_users
UNION ALL SELECT 'entra_method_configs', count(*) FROM entra_method_configs
UNION ALL SELECT 'entra_rollout_policies', count(*) FROM entra_rollout_policies
UNION ALL SELECT 'entra_rollout_policy_groups', count(*) FROM entra_rollout_policy_groups
UNION ALL SELECT 'entra_domains', count(*) FROM entra_domains
UNION ALL SELECT 'entra_ledger', count(*) FROM entra_ledger
UNION ALL SELECT 'rejects', count(*) FROM rejects
