-- Staged Rollout policies and their groups with the facts that decide a group's health: Staged Rollout
-- routes only direct user members (no nesting, no dynamic groups, contacts block the group) and takes
-- at most 10 groups of 50,000 users per feature. A policy with no group still gets one row.
WITH members AS (
  SELECT group_id,
         count(*) FILTER (WHERE member_type = 'user')    AS direct_users,
         count(*) FILTER (WHERE member_type = 'group')   AS nested_groups,
         count(*) FILTER (WHERE member_type = 'contact') AS contacts
  FROM entra_group_members GROUP BY group_id
),
transitive AS (
  SELECT group_id, count(DISTINCT user_id) AS transitive_users FROM entra_group_transitive_users GROUP BY group_id
)
SELECT
  coalesce(p.display_name, p.id) AS policy,
  p.id AS policy_id,
  p.feature,
  coalesce(p.is_enabled, false) AS enabled,
  coalesce(p.is_applied_to_organization, false) AS whole_organisation,
  pg.group_id,
  coalesce(g.display_name, pg.group_id) AS group_name,
  g.id IS NULL AND pg.group_id IS NOT NULL AS group_missing,
  coalesce(g.is_dynamic, false) AS dynamic,
  coalesce(m.direct_users, 0) AS direct_users,
  coalesce(m.nested_groups, 0) AS nested_groups,
  coalesce(m.contacts, 0) AS contacts,
  coalesce(t.transitive_users, 0) AS transitive_users,
  count(pg.group_id) OVER (PARTITION BY p.id) AS groups_in_policy
FROM entra_rollout_policies AS p
LEFT JOIN entra_rollout_policy_groups AS pg ON pg.policy_id = p.id
LEFT JOIN entra_groups AS g ON g.id = pg.group_id
LEFT JOIN members AS m ON m.group_id = pg.group_id
LEFT JOIN transitive AS t ON t.group_id = pg.group_id
ORDER BY lower(p.feature) <> 'multifactorauthentication', policy, group_name
