INSERT INTO batch_events (batch_id, "at", actor, event, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
