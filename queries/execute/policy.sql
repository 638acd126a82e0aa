-- The workspace policy (analysis/execute/policy.py) and the identities the four-eyes rule compares.

-- name: exists
SELECT count(*) > 0 FROM duckdb_tables()
WHERE table_name = 'workspace_policy' AND schema_name = 'main' AND database_name = current_database()

-- name: current
-- The setting in force per key (the latest change) with who set it and when.
SELECT key, value, actor, strftime("at", '%Y-%m-%d %H:%M:%S') AS at, note
FROM workspace_policy
QUALIFY row_number() OVER (PARTITION BY key ORDER BY "at" DESC, rowid DESC) = 1

-- name: history
SELECT strftime("at", '%Y-%m-%d %H:%M:%S') AS at, key, value, actor, note
FROM workspace_policy ORDER BY "at", rowid

-- name: insert
INSERT INTO workspace_policy ("at", key, value, actor, os_uid, os_user, entra_upn, entra_oid, note)
VALUES ($at, $key, $value, $actor, $os_uid, $os_user, $entra_upn, $entra_oid, $note)

-- name: creator
-- Who created a batch, as proven when it was created.
SELECT os_uid, os_user, entra_upn, entra_oid
FROM batch_events WHERE batch_id = $batch_id AND event = 'created'
ORDER BY "at", rowid LIMIT 1
