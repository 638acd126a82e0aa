-- A batch whose stored settings or [execute] options changed gets the hash of what it now holds.
UPDATE batches SET settings_signature = ?, plan_hash = ? WHERE batch_id = ?
