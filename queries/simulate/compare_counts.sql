-- What-if: outcome counts per item and action in plan A and plan B side by side, in item order.
-- __plan_a__ / __plan_b__ are replaced by analysis/simulate.py with names from its fixed allowed list.
WITH a AS (SELECT item, action, count(*) AS n FROM __plan_a__ GROUP BY ALL),
     b AS (SELECT item, action, count(*) AS n FROM __plan_b__ GROUP BY ALL)
SELECT coalesce(a.item, b.item) AS item, coalesce(a.action, b.action) AS action,
       coalesce(a.n, 0) AS n_a, coalesce(b.n, 0) AS n_b
FROM a FULL OUTER JOIN b ON a.item = b.item AND a.action = b.action
ORDER BY CASE coalesce(a.item, b.item) WHEN 'user' THEN 0 WHEN 'phone' THEN 1 WHEN 'backup_phone' THEN 2
           WHEN 'device' THEN 3 WHEN 'oath_token' THEN 4 ELSE 5 END,
         greatest(coalesce(a.n, 0), coalesce(b.n, 0)) DESC, 2;
