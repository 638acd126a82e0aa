-- Outcome counts of one plan per item, action and writable (DESIGN 4.8), in item order.
-- __plan__ is replaced by analysis/simulate.py with a table name from its fixed allowed list.
SELECT item, action, writable, count(*) AS n
FROM __plan__
GROUP BY item, action, writable
ORDER BY CASE item WHEN 'user' THEN 0 WHEN 'phone' THEN 1 WHEN 'backup_phone' THEN 2 WHEN 'device' THEN 3
                   WHEN 'oath_token' THEN 4 ELSE 5 END, n DESC, action;
