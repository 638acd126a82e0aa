-- Facts the runbook derives its step statuses from (one row). Runs inside a readiness run: reads the
-- rd_progress and rd_rollout_groups temp tables as well as the workspace.
SELECT
  (SELECT datafile_kind FROM loads ORDER BY loaded_at DESC LIMIT 1)                   AS datafile_kind,
  (SELECT try_cast(max(value) AS INTEGER) FROM mfa_meta WHERE key = 'schema_version') AS schema_version,
  (SELECT count(*) FROM mfa_auth_services)                                            AS services,
  (SELECT count(*) FROM mfa_auth_services
    WHERE lower(service) IN ('radius', 'ldap', 'iis', 'adfs', 'windows', 'web_service_sdk'))    AS dependencies,
  (SELECT count(*) FROM mfa_auth_services
    WHERE lower(service) IN ('radius', 'ldap', 'iis', 'adfs', 'windows', 'web_service_sdk')
      AND enabled)                                                                   AS dependencies_enabled,
  (SELECT count(*) FROM mfa_auth_services WHERE lower(service) = 'user_portal')        AS portals,
  (SELECT count(*) FROM mfa_auth_services WHERE lower(service) = 'user_portal' AND enabled) AS portals_enabled,
  (SELECT count(*) FROM entra_rollout_policies
    WHERE lower(feature) = 'multifactorauthentication')                              AS rollout_policies,
  (SELECT count(*) FROM entra_rollout_policies
    WHERE lower(feature) = 'multifactorauthentication' AND is_enabled)               AS rollout_enabled,
  (SELECT count(*) FROM entra_rollout_policies
    WHERE lower(feature) = 'multifactorauthentication' AND is_enabled
      AND is_applied_to_organization)                                                AS rollout_whole_org,
  (SELECT count(DISTINCT group_id) FROM rd_rollout_groups WHERE policy_enabled)      AS rollout_groups,
  g.users,
  g.up_to_date,
  g.migrated_ever,
  g.pending,
  (SELECT count(*) FROM entra_domains WHERE lower(authentication_type) = 'federated') AS federated,
  (SELECT count(*) FROM entra_domains WHERE lower(authentication_type) = 'federated'
    AND federated_idp_mfa_behavior = 'rejectMfaByFederatedIdp')                      AS federated_reject,
  (SELECT count(*) FROM entra_domains WHERE lower(authentication_type) = 'federated'
    AND federated_idp_mfa_behavior = 'enforceMfaByFederatedIdp')                     AS federated_enforce
FROM rd_progress g;
