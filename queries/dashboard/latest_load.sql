-- The workspace's latest load: its id keys every cached dashboard query.
SELECT load_id, loaded_at FROM loads ORDER BY loaded_at DESC LIMIT 1
