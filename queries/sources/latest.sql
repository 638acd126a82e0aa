-- The workspace follows the tenant (analysis/sources/latest.py): every read of a user the product makes
-- is kept as that user's latest Entra state, over the snapshot (docs/workspace.md, "Latest state").

-- name: schema
-- Kept across loads: one row per Entra user, the latest read.
CREATE TABLE IF NOT EXISTS entra_latest (
  entra_id          VARCHAR PRIMARY KEY,
  read_at           TIMESTAMPTZ NOT NULL,
  source            VARCHAR NOT NULL,     -- 'verify' | 'refresh' | ...
  methods           JSON[] NOT NULL,      -- /authentication/methods as Graph returned them (no secrets)
  preferred_method  VARCHAR               -- signInPreferences.userPreferredMethodForSecondaryAuthentication
);

-- name: not_read_schema
-- Users a later read could not read (refused, gone, throttled to the end), with why: they keep their earlier
-- state (snapshot or latest read, with its own time); not read is never "no methods". Cleared by a good read.
CREATE TABLE IF NOT EXISTS entra_latest_not_read (
  entra_id          VARCHAR PRIMARY KEY,
  tried_at          TIMESTAMPTZ NOT NULL,
  source            VARCHAR NOT NULL,
  reason            VARCHAR NOT NULL
);

-- name: not_read_record
INSERT OR REPLACE INTO entra_latest_not_read (entra_id, tried_at, source, reason)
SELECT unnest($entra_id::VARCHAR[]), $at, $source, unnest($reason::VARCHAR[])

-- name: not_read_clear
DELETE FROM entra_latest_not_read WHERE entra_id IN (SELECT unnest($entra_id::VARCHAR[]))

-- name: record
-- One read per user, given as one list per column; a later read replaces an earlier one.
INSERT OR REPLACE INTO entra_latest (entra_id, read_at, source, methods, preferred_method)
SELECT unnest($entra_id::VARCHAR[]), $at, $source, unnest($methods::JSON[][]), unnest($preferred::VARCHAR[])

-- name: stage
-- The latest reads newer than the snapshot, as the loader stages a snapshot's methods
-- (sources/tenant.sql users_insert), for sources/tenant.sql methods_insert.
CREATE OR REPLACE TEMP TABLE entra_methods_stage AS
SELECT NULL::BIGINT AS line, user_id, i, json_type(m) = 'OBJECT' AS is_object,
       f.id AS method_id, f."@odata.type" AS odata_type, f.phoneType AS phone_type,
       f.phoneNumber AS phone_number, f.displayName AS display_name,
       CASE WHEN contains(m::VARCHAR, 'secretKey') OR contains(m::VARCHAR, 'temporaryAccessPass')
            THEN json_merge_patch(m, '{"secretKey": null, "temporaryAccessPass": null}') ELSE m END AS detail
FROM (
  SELECT *, json_transform(m, '{"id": "VARCHAR", "@odata.type": "VARCHAR", "phoneType": "VARCHAR",
                                "phoneNumber": "VARCHAR", "displayName": "VARCHAR"}') AS f
  FROM (
    SELECT l.entra_id AS user_id, unnest(l.methods) AS m, generate_subscripts(l.methods, 1) AS i
    FROM entra_latest l
    JOIN entra_users u ON u.id = l.entra_id
    WHERE l.read_at > coalesce((SELECT try_cast(taken_at AS TIMESTAMPTZ) FROM tenant_info LIMIT 1),
                               '-infinity'::TIMESTAMPTZ)
  )
);

-- name: apply
-- Replace the snapshot's methods and default method of the users staged above by their latest read.
CREATE OR REPLACE TEMP TABLE latest_users AS
SELECT l.entra_id, l.preferred_method, l.read_at FROM entra_latest l JOIN entra_users u ON u.id = l.entra_id
WHERE l.read_at > coalesce((SELECT try_cast(taken_at AS TIMESTAMPTZ) FROM tenant_info LIMIT 1),
                           '-infinity'::TIMESTAMPTZ);
DELETE FROM entra_methods WHERE user_id IN (SELECT entra_id FROM latest_users);
UPDATE entra_users SET preferred_method = l.preferred_method, methods_error = NULL
FROM latest_users l WHERE entra_users.id = l.entra_id;

-- name: applied
-- How many users' state is newer than the snapshot, and the oldest and newest such read.
SELECT count(*), min(read_at), max(read_at) FROM latest_users;

-- name: exists
SELECT count(*) > 0 FROM information_schema.tables WHERE table_name = 'entra_latest' AND table_schema = 'main'

-- name: fingerprint
-- What a plan depends on of the latest states (analysis.simulate.plan.workspace_state).
SELECT count(*) || ':' || coalesce(sum(hash(entra_id, read_at)), 0) FROM entra_latest

-- name: ages
-- The snapshot's time, how many users have a later read, and the oldest and newest such read (the Overview
-- and Users pages: "as of").
SELECT (SELECT try_cast(taken_at AS TIMESTAMPTZ) FROM tenant_info LIMIT 1) AS snapshot_at,
       count(l.entra_id) AS users, min(l.read_at) AS oldest, max(l.read_at) AS newest
FROM entra_latest l JOIN entra_users u ON u.id = l.entra_id
WHERE l.read_at > coalesce((SELECT try_cast(taken_at AS TIMESTAMPTZ) FROM tenant_info LIMIT 1),
                           '-infinity'::TIMESTAMPTZ)

-- name: snapshot_at
SELECT try_cast(taken_at AS TIMESTAMPTZ) FROM tenant_info LIMIT 1

-- name: table_exists
SELECT count(*) > 0 FROM information_schema.tables WHERE table_name = $table_name AND table_schema = 'main'

-- name: not_read_count
SELECT count(*) FROM entra_latest_not_read
