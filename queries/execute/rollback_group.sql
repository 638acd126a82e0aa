-- The migration group the batch added users to (from the journal's own request URL).
SELECT url FROM journal WHERE batch_id = ? AND step = 'handoff_group' AND kind = 'intent' ORDER BY seq LIMIT 1
