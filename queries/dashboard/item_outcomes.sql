-- Plan rows by item, action and who writes them (Overview's write summary and the device chart).
SELECT item, action, writable, count(*) AS rows, count(DISTINCT user_id) AS users
FROM {plan}
WHERE item <> 'user'
GROUP BY item, action, writable
ORDER BY item, rows DESC
