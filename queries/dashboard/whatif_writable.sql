-- Who carries out each (item, action) in either plan (graph / utility / none).
SELECT DISTINCT item, action, writable FROM plan
UNION
SELECT DISTINCT item, action, writable FROM plan_b
