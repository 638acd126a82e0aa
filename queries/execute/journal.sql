-- The journal (analysis/execute/journal.py): appending rows, and what it says about each write.

-- name: insert_rows
-- Append journal rows given as one list per column (all lists the same length), in list order: one
-- statement for a whole envelope's rows.
INSERT INTO journal (seq, "at", run_id, batch_id, kind, idem_key, user_id, entra_id, step, method, url, body,
                     status, outcome, response, actor, ids)
SELECT nextval('journal_seq'), "at", run_id, batch_id, kind, idem_key, user_id, entra_id, step, method, url, body,
       status, outcome, response, actor, ids
FROM (
  SELECT unnest($at::TIMESTAMPTZ[]) AS "at", unnest($run_id::VARCHAR[]) AS run_id,
         unnest($batch_id::INTEGER[]) AS batch_id, unnest($kind::VARCHAR[]) AS kind,
         unnest($idem_key::VARCHAR[]) AS idem_key, unnest($user_id::BIGINT[]) AS user_id,
         unnest($entra_id::VARCHAR[]) AS entra_id, unnest($step::VARCHAR[]) AS step,
         unnest($method::VARCHAR[]) AS method, unnest($url::VARCHAR[]) AS url, unnest($body::VARCHAR[]) AS body,
         unnest($status::INTEGER[]) AS status, unnest($outcome::VARCHAR[]) AS outcome,
         unnest($response::VARCHAR[]) AS response, unnest($actor::VARCHAR[]) AS actor,
         unnest($ids::VARCHAR[]) AS ids, unnest($ord::BIGINT[]) AS ord
)
ORDER BY ord

-- name: step_status
-- Per idempotency key of a batch starting $prefix: the latest row's kind and outcome, whether any row
-- says the write is in place (ok / applied / already), and how many times it was sent (intents).
SELECT idem_key,
       arg_max(kind, seq) AS last_kind,
       arg_max(outcome, seq) AS last_outcome,
       bool_or(outcome IN ('ok', 'applied', 'already')) AS done,
       count(*) FILTER (WHERE kind = 'intent') AS attempts
FROM journal
WHERE batch_id = $batch_id AND idem_key IS NOT NULL AND starts_with(idem_key, $prefix)
GROUP BY idem_key

-- name: ids
-- The ids journaled per idempotency key (the latest row that learnt any): what a resumed run needs from
-- earlier answers, e.g. the inventory id of a token hw_create made.
SELECT idem_key, arg_max(ids, seq)
FROM journal
WHERE batch_id = $batch_id AND starts_with(idem_key, $prefix) AND ids IS NOT NULL
GROUP BY idem_key

-- name: rows
SELECT seq, strftime("at", '%Y-%m-%d %H:%M:%S') AS at, run_id, kind, idem_key, step, method, url, body, status,
       outcome, response, actor, ids
FROM journal WHERE batch_id = $batch_id ORDER BY seq

-- name: settle
-- Reads a result a previous statement left open (DuckDB would otherwise refuse the next statement).
SELECT 1
