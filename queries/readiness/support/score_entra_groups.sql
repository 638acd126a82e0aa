-- The readiness score per Entra group (migration waves, rollout rings, ...): counted users whose matched
-- Entra account is a transitive member. Unmatched users belong to no Entra group, so they show only in
-- the tenant and MFA Server group scores. Same inputs and formula as support/score.sql.
WITH worst AS (
  SELECT user_id, bool_or(severity = 'blocker') AS blocked, bool_or(severity = 'warning') AS warned
  FROM rd_user_findings
  GROUP BY user_id
),
u AS (
  SELECT
    r.entra_id,
    coalesce(w.blocked, false) AS blocked,
    coalesce(w.warned, false) AND NOT coalesce(w.blocked, false) AS with_warnings
  FROM rd_users r
  LEFT JOIN worst w USING (user_id)
  WHERE r.counted AND r.entra_id IS NOT NULL
)
SELECT
  g.id AS group_id,
  coalesce(any_value(g.display_name), g.id) AS "group",
  count(*) AS users,
  count(*) FILTER (WHERE NOT u.blocked AND NOT u.with_warnings) AS ready,
  count(*) FILTER (WHERE u.with_warnings) AS with_warnings,
  count(*) FILTER (WHERE u.blocked) AS blocked,
  round(100.0 * (count(*) FILTER (WHERE NOT u.blocked AND NOT u.with_warnings)
                 + 0.5 * count(*) FILTER (WHERE u.with_warnings)) / count(*), 1) AS score
FROM u
JOIN entra_group_transitive_users t ON t.user_id = u.entra_id
JOIN entra_groups g ON g.id = t.group_id
GROUP BY g.id
ORDER BY "group", g.id;
