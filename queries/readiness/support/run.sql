-- The small queries of a readiness run (analysis/readiness/checks.py); the checks' shared tables are
-- built by prepare.sql and the score by score.sql and score_entra_groups.sql.

-- name: user_status
-- Each user's worst finding as a small integer (2 blocker, 1 warning; users without either are absent),
-- from the frame analysis.readiness.score registers (one row per blocker or warning finding; user_id is
-- NULL for findings about no user). Read by support/score*.sql.
CREATE OR REPLACE TEMP TABLE rd_user_status AS
SELECT user_id, max(status) AS status
FROM rd_user_status_frame
WHERE user_id IS NOT NULL
GROUP BY user_id;

-- name: workspace_info
-- Where the workspace's data came from, for the head of every report (one row).
SELECT
  (SELECT any_value(tenant_id) FROM tenant_info)  AS tenant_id,
  (SELECT any_value(taken_at) FROM tenant_info)   AS snapshot_taken_at,
  (SELECT any_value(source) FROM tenant_info)     AS snapshot_source,
  l.load_id,
  strftime(l.loaded_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS loaded_at,
  l.datafile_kind,
  (SELECT count(*) FROM mfa_users)   AS mfa_users,
  (SELECT count(*) FROM entra_users) AS entra_users
FROM (SELECT 1) AS one
LEFT JOIN (SELECT * FROM loads ORDER BY loaded_at DESC LIMIT 1) AS l ON true;

-- name: cleanup
-- Drop readiness's temp tables (they hold a row per user; a long-lived dashboard connection should not
-- keep them).
DROP TABLE IF EXISTS temp.main.sim_settings;
DROP TABLE IF EXISTS temp.main.rd_policy;
DROP TABLE IF EXISTS temp.main.rd_users;
DROP TABLE IF EXISTS temp.main.rd_after;
DROP TABLE IF EXISTS temp.main.rd_phones_entered;
DROP VIEW IF EXISTS temp.main.rd_services;
DROP TABLE IF EXISTS temp.main.rd_rollout_groups;
DROP TABLE IF EXISTS temp.main.rd_progress;
DROP TABLE IF EXISTS temp.main.rd_user_status;
