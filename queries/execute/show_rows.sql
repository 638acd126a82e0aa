SELECT row_no, username, item, ref, action, value, writable, reason
FROM batch_rows WHERE batch_id = ? ORDER BY row_no
