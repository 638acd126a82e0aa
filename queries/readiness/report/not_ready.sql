-- Who is not ready and why: one row per user with a blocker or warning finding, every such finding as a
-- reason and each check's remediation once (docs/checks.md, "Who is not ready, and why"). Reads
-- nr_findings (user_id, username, upn, check_id, detail; phone numbers already masked or not) and
-- nr_checks (check_id, severity, title, remediation, rank), registered by
-- analysis/readiness/report/notready.py. Blocked users first, then by username.
WITH f AS (
  SELECT f.user_id, f.username, f.upn, f.detail, c.severity, c.title, c.remediation, c.rank
  FROM nr_findings f
  JOIN nr_checks c USING (check_id)
  WHERE f.user_id IS NOT NULL AND c.severity IN ('blocker', 'warning')
),
per_user AS (
  -- unordered lists sorted per user afterwards: ordered aggregates would sort every group
  SELECT
    user_id,
    any_value(username) AS username,
    any_value(upn) FILTER (WHERE upn IS NOT NULL) AS upn,
    count(*) FILTER (WHERE severity = 'blocker') AS blockers,
    count(*) FILTER (WHERE severity = 'warning') AS warnings,
    list_sort(list({'rank': rank, 'title': title, 'severity': severity, 'detail': detail})) AS why,
    list_sort(list(DISTINCT {'rank': rank, 'title': title, 'fix': remediation})) AS fixes
  FROM f
  GROUP BY user_id
)
SELECT
  user_id,
  username,
  upn,
  CASE WHEN blockers > 0 THEN 'blocked' ELSE 'warnings' END AS status,
  blockers,
  warnings,
  array_to_string(list_transform(why, lambda r: r.severity || ': ' || r.title || ' — ' || r.detail), chr(10))
    AS reasons,
  array_to_string(list_transform(fixes, lambda r: r.title || ': ' || r.fix), chr(10)) AS remediation
FROM per_user
ORDER BY blockers = 0, lower(username), user_id
