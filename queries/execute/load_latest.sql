SELECT load_id FROM loads ORDER BY loaded_at DESC LIMIT 1
