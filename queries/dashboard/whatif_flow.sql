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
