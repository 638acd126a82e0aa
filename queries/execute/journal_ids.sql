-- The ids journaled per idempotency key of a batch (the latest row that learnt any): what a resumed run
-- needs from earlier answers, e.g. the inventory id of a token hw_create made.
SELECT idem_key, arg_max(ids, seq)
FROM journal
WHERE batch_id = ? AND starts_with(idem_key, ?) AND ids IS NOT NULL
GROUP BY idem_key
