-- The batch audit trail: every state change with who and when, newest first.
SELECT e.at, e.batch_id, b.name AS batch, e.actor, e.event, e.from_state, e.to_state, e.detail
FROM batch_events AS e
LEFT JOIN batches AS b ON b.batch_id = e.batch_id
WHERE ($batch_id IS NULL OR e.batch_id = $batch_id)
ORDER BY e.at DESC, e.batch_id DESC
