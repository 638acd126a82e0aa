-- The rows a plan hash covers: a batch's frozen rows.
CREATE OR REPLACE TEMP TABLE exec_hash_rows AS
SELECT username, upn, entra_id, item, ref, action, value, reason, writable
FROM batch_rows WHERE batch_id = ?
