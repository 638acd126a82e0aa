-- The dashboard session's queries (analysis/dashboard/session.py).

-- name: latest_load
-- The workspace's latest load: its id keys every cached dashboard query.
SELECT load_id, loaded_at FROM loads ORDER BY loaded_at DESC LIMIT 1
