-- Copy the plan rows of the batch's users; row_no orders them by user and the executor's write order.
INSERT INTO batch_rows
SELECT $1,
       row_number() OVER (ORDER BY p.username, p.user_id,
         CASE p.item WHEN 'user' THEN 0 WHEN 'phone' THEN 1 WHEN 'backup_phone' THEN 2 WHEN 'oath_token' THEN 3
                     WHEN 'device' THEN 4 WHEN 'default_method' THEN 5 ELSE 6 END, p.ref, p.action),
       p.user_id, p.entra_id, p.username, p.upn, p.item, p.ref, p.action, p.value, p.reason, p.writable
FROM exec_plan_source p
WHERE p.user_id IN (SELECT user_id FROM batch_users WHERE batch_id = $1)
