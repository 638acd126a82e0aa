INSERT INTO journal (seq, "at", run_id, batch_id, kind, idem_key, user_id, entra_id, step, method, url, body,
                     status, outcome, response, actor)
VALUES (nextval('journal_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
