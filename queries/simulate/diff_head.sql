-- The first $limit differing outcomes of a what-if (plan_diff, written by compare.sql), for the CLI.
SELECT username, item, ref, before_action, before_value, after_action, after_value
FROM plan_diff
ORDER BY user_id, CASE item WHEN 'user' THEN 0 WHEN 'phone' THEN 1 WHEN 'backup_phone' THEN 2
                            WHEN 'device' THEN 3 WHEN 'oath_token' THEN 4 ELSE 5 END, ref
LIMIT $limit;
