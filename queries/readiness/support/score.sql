-- The readiness score per MFA Server user group and for the tenant (the row with is_total). Reads
-- rd_users and the frame registered as rd_user_findings(user_id, severity): one row per user and
-- severity of a blocker or warning finding. Formula: analysis.readiness.SCORE_FORMULA.
WITH worst AS (
  SELECT user_id, bool_or(severity = 'blocker') AS blocked, bool_or(severity = 'warning') AS warned
  FROM rd_user_findings
  GROUP BY user_id
),
u AS (
  SELECT
    r.user_group,
    coalesce(w.blocked, false) AS blocked,
    coalesce(w.warned, false) AND NOT coalesce(w.blocked, false) AS with_warnings
  FROM rd_users r
  LEFT JOIN worst w USING (user_id)
  WHERE r.counted
)
SELECT
  grouping(user_group) = 1 AS is_total,
  user_group AS "group",
  count(*) AS users,
  count(*) FILTER (WHERE NOT blocked AND NOT with_warnings) AS ready,
  count(*) FILTER (WHERE with_warnings) AS with_warnings,
  count(*) FILTER (WHERE blocked) AS blocked,
  CASE WHEN count(*) = 0 THEN NULL
       ELSE round(100.0 * (count(*) FILTER (WHERE NOT blocked AND NOT with_warnings)
                           + 0.5 * count(*) FILTER (WHERE with_warnings)) / count(*), 1)
  END AS score
FROM u
GROUP BY GROUPING SETS ((user_group), ())
ORDER BY is_total DESC, "group";
