-- Users of this batch that are also in another batch that has not finished.
SELECT count(DISTINCT u.user_id)
FROM batch_users u
JOIN batch_users o ON o.user_id = u.user_id AND o.batch_id <> u.batch_id
JOIN batches b ON b.batch_id = o.batch_id AND b.state IN ('draft', 'approved', 'running', 'partial', 'failed')
WHERE u.batch_id = ?
