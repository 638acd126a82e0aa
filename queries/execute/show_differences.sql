-- Rows of the latest verification that differ from the prediction.
SELECT username, item, action, predicted, actual
FROM verifications
WHERE batch_id = $1 AND outcome = 'differs'
  AND verified_at = (SELECT max(verified_at) FROM verifications WHERE batch_id = $1)
ORDER BY row_no LIMIT 100
