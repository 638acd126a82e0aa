SELECT item, action, writable, count(*) AS rows
FROM batch_rows WHERE batch_id = ? AND item <> 'user'
GROUP BY item, action, writable
ORDER BY CASE item WHEN 'phone' THEN 1 WHEN 'backup_phone' THEN 2 WHEN 'device' THEN 3 WHEN 'oath_token' THEN 4
                   ELSE 5 END, rows DESC, action
