-- id: entra_cloud_only_users
-- title: Matched Entra accounts that are cloud-only
-- severity: warning
-- why: Staged Rollout routes only users synced by Entra Connect to cloud MFA. Cloud-only accounts stay on
--   the federation path until the domain cut-over, so they cannot be tested in stages.
-- remediation: Sync the account from on-premises AD (soft-match), or plan these users for the final
--   federation cut-over instead of Staged Rollout.
SELECT
  'user' AS subject_type,
  CAST(u.user_id AS VARCHAR) AS subject_id,
  u.user_id,
  u.username,
  u.upn,
  format('Entra account {} is not synced from on-premises (Staged Rollout cannot target it)', u.upn) AS detail
FROM rd_users u
WHERE u.counted
  AND u.entra_key IS NOT NULL
  AND NOT coalesce(u.on_premises_sync_enabled, false)
  AND NOT coalesce(u.is_guest, false)
ORDER BY u.user_id;
