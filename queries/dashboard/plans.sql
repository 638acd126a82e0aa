-- The dashboard's what-if tables (analysis/dashboard/plans.py): plan_diff read back for the What-if page.

-- name: whatif_flow
-- What-if flow: every plan outcome (user, item, ref) with its action in the current plan (a) and in
-- the what-if plan (b); NULL where that outcome exists on one side only. Feeds the Sankey chart.
SELECT
  coalesce(a.item, b.item) AS item,
  a.action AS a,
  b.action AS b,
  count(*) AS n
FROM plan AS a
FULL OUTER JOIN plan_b AS b
  ON a.user_id = b.user_id AND a.item = b.item AND coalesce(a.ref, '') = coalesce(b.ref, '')
GROUP BY ALL
ORDER BY item, n DESC

-- name: whatif_diff
-- The outcomes a what-if changes (plan_diff, written by analysis.simulate.compare), first $limit rows
-- (NULL: all, for the download).
SELECT user_id, username, upn, item, ref, before_action, before_value, after_action, after_value,
       before_reason, after_reason
FROM plan_diff
ORDER BY username, item, ref
LIMIT $limit

-- name: whatif_writable
-- Who carries out each (item, action) in either plan (graph / utility / none).
SELECT DISTINCT item, action, writable FROM plan
UNION
SELECT DISTINCT item, action, writable FROM plan_b
