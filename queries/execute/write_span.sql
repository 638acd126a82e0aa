-- A batch's write phase from its journal: first intent, last response, writes answered ok / refused.
SELECT min("at") FILTER (WHERE kind = 'intent'),
       max("at") FILTER (WHERE kind = 'response'),
       count(*) FILTER (WHERE kind = 'response' AND outcome = 'ok'),
       count(*) FILTER (WHERE kind = 'response' AND outcome = 'error')
FROM journal WHERE batch_id = ?
