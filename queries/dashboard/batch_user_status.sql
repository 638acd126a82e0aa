-- How far execution got with a batch's users.
SELECT status, count(*) AS users FROM batch_users WHERE batch_id = $batch_id GROUP BY status ORDER BY users DESC
