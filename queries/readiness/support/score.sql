-- The readiness score per MFA Server user group and for the tenant (the row with is_total). Reads
-- rd_users and rd_user_status (support/run.sql user_status: 2 blocker, 1 warning, absent = ready).
-- Formula: analysis.readiness.SCORE_FORMULA.
WITH u AS (
  SELECT
    r.user_group,
    coalesce(st.status, 0) AS status
  FROM rd_users r
  LEFT JOIN rd_user_status st USING (user_id)
  WHERE r.counted
)
SELECT
  grouping(user_group) = 1 AS is_total,
  user_group AS "group",
  count(*) AS users,
  count(*) FILTER (WHERE status = 0) AS ready,
  count(*) FILTER (WHERE status = 1) AS with_warnings,
  count(*) FILTER (WHERE status = 2) AS blocked,
  CASE WHEN count(*) = 0 THEN NULL
       ELSE round(100.0 * (count(*) FILTER (WHERE status = 0) + 0.5 * count(*) FILTER (WHERE status = 1))
                  / count(*), 1)
  END AS score
FROM u
GROUP BY GROUPING SETS ((user_group), ())
ORDER BY is_total DESC, "group";
