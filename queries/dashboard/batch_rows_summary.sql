-- A batch's frozen plan rows counted by item, action and who writes them.
SELECT item, action, writable, count(*) AS rows
FROM batch_rows WHERE batch_id = $batch_id
GROUP BY item, action, writable
ORDER BY item, rows DESC
