-- The latest verification of a batch: per plan row, predicted against actual.
WITH latest AS (SELECT max(verified_at) AS at FROM verifications WHERE batch_id = $batch_id)
SELECT v.username, v.item, v.ref, v.action, v.writable, v.predicted, v.actual, v.outcome, v.verified_at
FROM verifications AS v, latest
WHERE v.batch_id = $batch_id AND v.verified_at = latest.at
ORDER BY v.outcome = 'agrees', v.username, v.item
