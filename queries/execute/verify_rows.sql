SELECT user_id, row_no, username, item, ref, action, value, writable
FROM batch_rows WHERE batch_id = ? ORDER BY row_no
