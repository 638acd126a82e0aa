-- One user's plan rows in plan order.
SELECT item, ref, action, value, reason, writable
FROM {plan}
WHERE user_id = $user_id
ORDER BY CASE item WHEN 'user' THEN 0 WHEN 'phone' THEN 1 WHEN 'backup_phone' THEN 2 WHEN 'device' THEN 3
                   WHEN 'oath_token' THEN 4 WHEN 'default_method' THEN 5 ELSE 6 END, ref
