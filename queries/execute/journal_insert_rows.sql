-- Append the rows of the registered Arrow table journal_rows_in, keeping their order in seq.
INSERT INTO journal (seq, "at", run_id, batch_id, kind, idem_key, user_id, entra_id, step, method, url, body,
                     status, outcome, response, actor, ids)
SELECT nextval('journal_seq'), "at", run_id, batch_id, kind, idem_key, user_id, entra_id, step, method, url, body,
       status, outcome, response, actor, ids
FROM (SELECT * FROM journal_rows_in ORDER BY ord)
