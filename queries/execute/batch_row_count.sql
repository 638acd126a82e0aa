SELECT count(*) FROM batch_rows WHERE batch_id = ?
