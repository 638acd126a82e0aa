-- The dashboard's what-if (analysis/dashboard/plans.py) read back for the What-if page: __plan_a__ the
-- current plan, __plan_b__ the what-if plan (in memory: whatif_mem.plan_b), __diff__ their comparison.

-- name: whatif_flow
-- What-if flow: how many outcomes (user, item, ref) go from each action in the current plan (a) to each
-- action in the what-if plan (b); NULL where that outcome exists on one side only. Feeds the Sankey chart.
-- Read from the comparison instead of joining the two plans again: an outcome absent from __diff__ has
-- the same action on both sides, so those are plan A's count per action less the ones that moved.
WITH moved AS (
  SELECT item, before_action AS a, after_action AS b, count(*) AS n FROM __diff__ GROUP BY ALL
),
left_a AS (
  SELECT item, a, sum(n) AS n FROM moved WHERE a IS NOT NULL GROUP BY ALL
),
kept AS (
  SELECT p.item, p.action AS a, p.action AS b, count(*) - any_value(coalesce(l.n, 0)) AS n
  FROM __plan_a__ p
  LEFT JOIN left_a l ON l.item = p.item AND l.a = p.action
  GROUP BY p.item, p.action
)
SELECT item, a, b, sum(n)::BIGINT AS n
FROM (SELECT * FROM kept UNION ALL SELECT * FROM moved)
WHERE n > 0
GROUP BY ALL
ORDER BY item, n DESC

-- name: whatif_diff
-- The outcomes a what-if changes (__diff__, written by analysis.simulate.runner.compare), first $limit
-- rows (NULL: all, for the download).
SELECT user_id, username, upn, item, ref, before_action, before_value, after_action, after_value,
       before_reason, after_reason
FROM __diff__
ORDER BY username, item, ref
LIMIT $limit

-- name: whatif_writable
-- Who carries out each (item, action) in either plan (graph / utility / none).
SELECT DISTINCT item, action, writable FROM __plan_a__
UNION
SELECT DISTINCT item, action, writable FROM __plan_b__

-- name: has_table
-- Does the table $name ('database.table') exist? The what-if's tables in memory go when the process lets
-- go of the workspace.
SELECT count(*) > 0 FROM duckdb_tables() WHERE database_name || '.' || table_name = $name
