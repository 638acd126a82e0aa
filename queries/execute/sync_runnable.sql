-- Sync's batches that can run now: approved, or interrupted/partial runs to resume.
SELECT batch_id, name FROM batches
WHERE starts_with(name, 'sync-') AND state IN ('approved', 'running', 'partial')
ORDER BY batch_id
