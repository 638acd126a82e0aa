-- The executable plan rows of a batch, per user in row order (graph and utility rows only).
SELECT user_id, row_no, item, ref, action, value, writable
FROM batch_rows
WHERE batch_id = ? AND writable IN ('graph', 'utility') AND action <> 'noop'
ORDER BY user_id, row_no
