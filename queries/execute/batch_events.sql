SELECT strftime("at", '%Y-%m-%d %H:%M:%S') AS at, actor, event, from_state, to_state, detail
FROM batch_events WHERE batch_id = ? ORDER BY "at", rowid
