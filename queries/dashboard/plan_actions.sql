-- The (item, action) pairs present in the plan, for the batch filter.
SELECT item, action, count(*) AS rows FROM {plan} WHERE item <> 'user' GROUP BY item, action ORDER BY item, rows DESC
