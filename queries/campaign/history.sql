-- The registration campaign's history (analysis/campaign/history.py, docs/workspace.md "History"):
-- every snapshot loaded and every read of users the product makes (verify, refresh) is kept as an
-- observation, so progress can be measured between any two of them. Kept across loads.
--
-- Compact for a million users and many snapshots: an Entra id is stored once (progress_ids, a small
-- integer key per id), and a user's state (method bits as in readiness/support/after_date.sql
-- method_bit, and whether the default is a phone) only when it differs from the user's previous one.
-- A user's state at time T is their last stored row at or before T.

-- name: schema
CREATE TABLE IF NOT EXISTS progress_points (
  observed_at  TIMESTAMPTZ NOT NULL,   -- the snapshot's takenAt (else when it was loaded), or the read's time
  source       VARCHAR NOT NULL,       -- 'snapshot' | 'verify' | 'refresh' | ...
  users        INTEGER NOT NULL,       -- Entra users observed
  changed      INTEGER NOT NULL,       -- of those, whose state differed from their previous one
  recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS progress_deferred (  -- reads kept but not yet laid over the snapshot
  entra_id  VARCHAR NOT NULL,
  source    VARCHAR NOT NULL,
  read_at   TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS progress_ids (
  key       INTEGER NOT NULL,
  entra_id  VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS progress_states (
  key            INTEGER NOT NULL,
  observed_at    TIMESTAMPTZ NOT NULL,
  bits           USMALLINT,            -- the user's Entra methods (method_bit); NULL: not read, or gone
  default_phone  BOOLEAN               -- the default method is SMS or voice
);

-- name: seen
-- Whether a snapshot observed at $at was recorded already (loading the same snapshot again adds nothing).
SELECT count(*) > 0 FROM progress_points WHERE observed_at = $at AND source = 'snapshot';

-- name: snapshot_time
-- When the loaded snapshot was taken (snapshot.json takenAt), NULL when it does not say.
SELECT try_cast(taken_at AS TIMESTAMPTZ) FROM tenant_info LIMIT 1;

-- name: read_ids
-- The Entra ids a read observed (a snapshot observes every Entra user and leaves this empty).
CREATE OR REPLACE TEMP TABLE progress_read AS SELECT DISTINCT unnest($ids::VARCHAR[]) AS entra_id;

-- name: defer
-- Users just read again, noted until their reads are laid over the snapshot (a table, not a temp one: a
-- refresh gives the file back between its parts, which closes its connection).
INSERT INTO progress_deferred SELECT unnest($ids::VARCHAR[]), $source, $at;

-- name: deferred_exists
SELECT 1 FROM duckdb_tables() WHERE NOT temporary AND table_name = 'progress_deferred' AND schema_name = 'main';

-- name: deferred
-- One observation per source, at its latest read.
SELECT source, max(read_at) FROM progress_deferred GROUP BY source ORDER BY 2;

-- name: read_deferred
CREATE OR REPLACE TEMP TABLE progress_read AS
SELECT DISTINCT entra_id FROM progress_deferred WHERE source = $source;

-- name: deferred_clear
DELETE FROM progress_deferred;

-- name: observe
-- The observed users' state now ($full: every Entra user of the snapshot; else those in progress_read),
-- with a key for each id not seen before.
INSERT INTO progress_ids
SELECT (SELECT coalesce(max(key), 0) FROM progress_ids) + row_number() OVER (), e.id
FROM (SELECT DISTINCT id FROM entra_users
      WHERE $full OR id IN (SELECT entra_id FROM progress_read)) e
ANTI JOIN progress_ids p ON p.entra_id = e.id;
CREATE OR REPLACE TEMP TABLE progress_now AS
SELECT p.key,
       CASE WHEN nullif(e.methods_error, '') IS NULL THEN coalesce(m.bits, 0) END::USMALLINT AS bits,
       phone_default(nullif(e.preferred_method, '')) AS default_phone
FROM entra_users e
JOIN progress_ids p ON p.entra_id = e.id
LEFT JOIN (SELECT user_id, bit_or(method_bit(kind, phone_type)) AS bits FROM entra_methods GROUP BY user_id) m
  ON m.user_id = e.id
WHERE $full OR e.id IN (SELECT entra_id FROM progress_read);
CREATE OR REPLACE TEMP TABLE progress_before AS
SELECT key, arg_max({'bits': bits, 'default_phone': default_phone}, observed_at) AS s
FROM progress_states
WHERE observed_at <= $at AND ($full OR key IN (SELECT key FROM progress_now))
GROUP BY key;

-- name: store
-- Keep the rows that changed; a full snapshot also ends the state of users no longer in the tenant.
-- Returns (users observed, rows kept).
INSERT INTO progress_states
SELECT n.key, $at, n.bits, n.default_phone
FROM progress_now n LEFT JOIN progress_before b USING (key)
WHERE b.key IS NULL OR b.s.bits IS DISTINCT FROM n.bits OR b.s.default_phone IS DISTINCT FROM n.default_phone
UNION ALL
SELECT b.key, $at, NULL, NULL
FROM progress_before b ANTI JOIN progress_now n USING (key)
WHERE $full AND b.s.bits IS NOT NULL;
INSERT INTO progress_points
SELECT $at, $source, (SELECT count(*) FROM progress_now),
       (SELECT count(*) FROM progress_states WHERE observed_at = $at), now();
DROP TABLE progress_now;
DROP TABLE progress_before;
DROP TABLE IF EXISTS progress_read;

-- name: points
-- Every observation, oldest first.
SELECT observed_at, source, users, changed FROM progress_points ORDER BY observed_at, source;

-- name: exists
SELECT count(*) > 0 FROM information_schema.tables WHERE table_name = 'progress_points' AND table_schema = 'main'
