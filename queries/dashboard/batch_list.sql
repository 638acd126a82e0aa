-- Every batch with its head counts, newest first (Batches page list, Journal filter).
SELECT
  b.batch_id, b.name, b.state, b.selection, b.created_by, b.created_at, b.approved_by, b.approved_at,
  b.plan_hash, b.approved_hash, b.agreement, b.settings_signature, b.selection_signature, b.load_id,
  b.options_json,
  (SELECT count(*) FROM batch_users AS u WHERE u.batch_id = b.batch_id) AS users,
  (SELECT count(*) FROM batch_rows AS r WHERE r.batch_id = b.batch_id) AS rows
FROM batches AS b
ORDER BY b.batch_id DESC
