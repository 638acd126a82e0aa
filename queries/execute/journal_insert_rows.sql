-- Append journal rows given as one list per column (all lists the same length), in list order:
-- one statement for a whole envelope's rows. The last list is each row's position.
INSERT INTO journal (seq, "at", run_id, batch_id, kind, idem_key, user_id, entra_id, step, method, url, body,
                     status, outcome, response, actor, ids)
SELECT nextval('journal_seq'), "at", run_id, batch_id, kind, idem_key, user_id, entra_id, step, method, url, body,
       status, outcome, response, actor, ids
FROM (
  SELECT unnest(?::TIMESTAMPTZ[]) AS "at", unnest(?::VARCHAR[]) AS run_id, unnest(?::INTEGER[]) AS batch_id,
         unnest(?::VARCHAR[]) AS kind, unnest(?::VARCHAR[]) AS idem_key, unnest(?::BIGINT[]) AS user_id,
         unnest(?::VARCHAR[]) AS entra_id, unnest(?::VARCHAR[]) AS step, unnest(?::VARCHAR[]) AS method,
         unnest(?::VARCHAR[]) AS url, unnest(?::VARCHAR[]) AS body, unnest(?::INTEGER[]) AS status,
         unnest(?::VARCHAR[]) AS outcome, unnest(?::VARCHAR[]) AS response, unnest(?::VARCHAR[]) AS actor,
         unnest(?::VARCHAR[]) AS ids, unnest(?::BIGINT[]) AS ord
)
ORDER BY ord
