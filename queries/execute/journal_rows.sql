SELECT seq, strftime("at", '%Y-%m-%d %H:%M:%S') AS at, run_id, kind, idem_key, step, method, url, body, status,
       outcome, response, actor
FROM journal WHERE batch_id = ? ORDER BY seq
