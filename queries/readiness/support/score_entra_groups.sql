-- The readiness score per Entra group (migration waves, rollout rings, ...): counted users whose matched
-- Entra account is a transitive member. Unmatched users belong to no Entra group, so they show only in
-- the tenant and MFA Server group scores. Microsoft 365 ('Unified') groups are left out: they are
-- collaboration groups (Teams, "All Company"), never waves, and in a large tenant they are most of the
-- membership rows. Same inputs and formula as support/score.sql.
-- Users are keyed by rd_users.entra_key, a 64-bit hash of their Entra id (an integer join is much
-- cheaper than a string join over a million memberships).
WITH u AS (  -- status: 0 ready, 1 with warnings, 2 blocked
  SELECT r.entra_key, coalesce(st.status, 0) AS status
  FROM rd_users r
  LEFT JOIN rd_user_status st USING (user_id)
  WHERE r.counted AND r.entra_key IS NOT NULL
),
groups AS (
  SELECT row_number() OVER (ORDER BY id) AS gi, id, coalesce(display_name, id) AS name
  FROM entra_groups
  WHERE NOT list_contains(coalesce(group_types, []), 'Unified')
),
per_status AS (  -- count by small integers first; names join the few resulting rows
  SELECT g.gi, u.status, count(*) AS n
  FROM entra_group_transitive_users t
  JOIN groups g ON g.id = t.group_id
  JOIN u ON u.entra_key = hash(t.user_id)
  GROUP BY g.gi, u.status
)
SELECT
  any_value(g.id) AS group_id,
  any_value(g.name) AS "group",
  sum(p.n)::BIGINT AS users,
  coalesce(sum(p.n) FILTER (WHERE p.status = 0), 0)::BIGINT AS ready,
  coalesce(sum(p.n) FILTER (WHERE p.status = 1), 0)::BIGINT AS with_warnings,
  coalesce(sum(p.n) FILTER (WHERE p.status = 2), 0)::BIGINT AS blocked,
  round(100.0 * (coalesce(sum(p.n) FILTER (WHERE p.status = 0), 0)
                 + 0.5 * coalesce(sum(p.n) FILTER (WHERE p.status = 1), 0)) / sum(p.n), 1) AS score
FROM per_status p
JOIN groups g USING (gi)
GROUP BY p.gi
ORDER BY "group", group_id;
