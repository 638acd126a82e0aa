-- Per MFA rollout group: how many routed (direct) members are MFA Server users already migrated and
-- unchanged since (the datafile's bookkeeping or this tool's migration marks); {plan} gives the match.
WITH routed AS (
  SELECT DISTINCT pg.group_id, m.member_id AS entra_id
  FROM entra_rollout_policies AS p
  JOIN entra_rollout_policy_groups AS pg ON pg.policy_id = p.id
  JOIN entra_group_members AS m ON m.group_id = pg.group_id AND m.member_type = 'user'
  WHERE lower(p.feature) = 'multifactorauthentication' AND coalesce(p.is_enabled, false)
),
mfa AS (
  SELECT
    p.entra_id,
    bool_or(coalesce(greatest(nullif(trim(u.last_migrated_at), ''), mm.last_migrated_at)
                     >= nullif(trim(u.modified_at), ''), false)) AS up_to_date
  FROM {plan} AS p
  JOIN mfa_users AS u ON u.user_id = p.user_id
  LEFT JOIN migration_marks AS mm ON mm.username = u.username
  WHERE p.item = 'user' AND p.entra_id IS NOT NULL
  GROUP BY p.entra_id
)
SELECT
  r.group_id,
  count(*) AS routed,
  count(*) FILTER (WHERE f.entra_id IS NOT NULL) AS on_mfa_server,
  count(*) FILTER (WHERE f.up_to_date) AS migrated
FROM routed AS r
LEFT JOIN mfa AS f ON f.entra_id = r.entra_id
GROUP BY r.group_id
