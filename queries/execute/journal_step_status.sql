-- Per idempotency key of a batch: the latest row's kind and outcome, whether any row says the write is
-- in place (ok / applied / already), and how many times it was sent (intents).
SELECT idem_key,
       arg_max(kind, seq) AS last_kind,
       arg_max(outcome, seq) AS last_outcome,
       bool_or(outcome IN ('ok', 'applied', 'already')) AS done,
       count(*) FILTER (WHERE kind = 'intent') AS attempts
FROM journal
WHERE batch_id = ? AND idem_key IS NOT NULL AND starts_with(idem_key, ?)
GROUP BY idem_key
