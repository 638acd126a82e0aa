-- The simulator's small queries (analysis/simulate/runner.py and plan.py): what a plan table was made
-- from (plan_meta), the checks before a run, and reading plans (summary, what-if comparison, export).
-- __plan__, __plan_a__ and __plan_b__ are plan table names the runner fills in, __meta__ where their stamps
-- are kept (plan_meta, or whatif_mem.plan_meta for a plan in memory: analysis/simulate/plan.py), __diff__
-- the what-if comparison's table; $items is the plan's
-- item order (analysis.simulate.actions.ITEMS), so every reader sorts items the same way.

-- name: attach_memory
-- The in-memory database of plans in memory (the dashboard's what-if), once per DuckDB instance; it works
-- beside a read-only workspace too.
ATTACH IF NOT EXISTS ':memory:' AS whatif_mem (READ_ONLY false);

-- name: meta_schema
-- One row per plan table: the settings, load and migration marks it was simulated from. Kept across
-- loads (a new load makes every row stale, never deletes it).
CREATE TABLE IF NOT EXISTS __meta__ (
  table_name           VARCHAR PRIMARY KEY,
  settings_toml        VARCHAR NOT NULL,
  settings_fingerprint VARCHAR NOT NULL,   -- SHA-256 of settings_toml
  load_id              VARCHAR,            -- the workspace's latest load when simulated (NULL: none)
  marks                VARCHAR NOT NULL,   -- fingerprint of migration_marks when simulated
  tool_version         VARCHAR NOT NULL,
  simulated_at         TIMESTAMPTZ NOT NULL
);

-- name: meta_clear
-- Before a plan table is replaced: until the new stamp is written nobody may take it as current.
DELETE FROM __meta__ WHERE table_name = $table_name;

-- name: meta_stamp
INSERT OR REPLACE INTO __meta__
VALUES ($table_name, $settings_toml, $settings_fingerprint, $load_id, $marks, $tool_version, now());

-- name: meta_read
SELECT settings_toml, settings_fingerprint, load_id, marks, tool_version
FROM __meta__ WHERE table_name = $table_name;

-- name: workspace_state
-- What a plan depends on besides its settings: the latest load, and the migration marks (a verified
-- batch adds marks, and with them changes who is 'unchanged').
SELECT
  (SELECT load_id FROM loads ORDER BY loaded_at DESC LIMIT 1) AS load_id,
  (SELECT count(*) || ':' || coalesce(sum(hash(username, last_migrated_at, migrated_selection, batch_name)), 0)
   FROM migration_marks) AS marks;

-- name: check_phones
-- Before simulating: MFA users with a phone number while mfa_phones is empty means the numbers were
-- never parsed (analysis.sources.phones.fill_phone_tables did not run for this workspace). Returns that
-- count, or 0 when the phones table has rows or nobody has a number.
SELECT CASE WHEN (SELECT count(*) FROM mfa_phones) > 0 THEN 0
            ELSE (SELECT count(*) FROM mfa_users
                  WHERE (phone IS NOT NULL AND trim(phone) <> '')
                     OR (backup_phone IS NOT NULL AND trim(backup_phone) <> '')) END AS unparsed;

-- name: subjects
-- The users a restricted run (simulate_users) plans, by username exactly as stored.
CREATE OR REPLACE TEMP TABLE sim_subject AS
SELECT user_id FROM mfa_users WHERE username IN (SELECT unnest($usernames::VARCHAR[]));

-- name: bounded
-- For the length of a run (analysis.simulate.runner): the memory DuckDB may hold before it spills the
-- stages' temp tables and the plan write to its temp directory beside the workspace, instead of
-- DuckDB's default of 80% of the machine's RAM. A 1,000,000-user run peaks at ~1.9 GB RSS either way
-- today (benchmarks/README.md, Simulate); the bound keeps a larger tenant, or a future stage, from
-- growing the process without limit on a machine shared with the dashboard.
SET memory_limit = '1800MB';

-- name: unbounded
-- After a run: DuckDB's default again, for whatever else the connection does.
RESET memory_limit;

-- name: cleanup
-- Drop the stages' temp objects: they hold a row per user, and a long-lived connection must not keep them.
DROP TABLE IF EXISTS temp.main.sim_settings;
DROP VIEW IF EXISTS temp.main.sim_mfa_all;
DROP TABLE IF EXISTS temp.main.sim_subject;
DROP TABLE IF EXISTS temp.main.sim_actions;
DROP TABLE IF EXISTS temp.main.sim_entra_keys;
DROP TABLE IF EXISTS temp.main.sim_mfa;
DROP TABLE IF EXISTS temp.main.sim_match;
DROP TABLE IF EXISTS temp.main.sim_scope_groups;
DROP TABLE IF EXISTS temp.main.sim_scope_members;
DROP TABLE IF EXISTS temp.main.sim_users;
DROP TABLE IF EXISTS temp.main.sim_entra;
DROP TABLE IF EXISTS temp.main.sim_phones;
DROP TABLE IF EXISTS temp.main.sim_device_rows;
DROP TABLE IF EXISTS temp.main.sim_oath;
DROP TABLE IF EXISTS temp.main.sim_default;

-- name: summary
-- Outcome counts of one plan per item, action and writable, in item order.
SELECT item, action, writable, count(*) AS n
FROM __plan__
GROUP BY item, action, writable
ORDER BY list_position($items, item), n DESC, action;

-- name: compare
-- What-if: every outcome (user, item, ref) whose action or value differs between plan A (before) and
-- plan B (after); a side without that outcome (e.g. the user is not migrated there) is NULL. A set, like
-- the plans: its readers order it (sorting here cost a third of the comparison at a million users).
-- The join carries only the keys, action, value and row ids; the names and reasons are fetched for the
-- differing rows alone (a what-if usually changes a few percent of the rows: 2.4 -> 1.1 s at a million
-- users for a device-limit change, the same cost when most rows differ).
CREATE OR REPLACE TABLE __diff__ AS
WITH differ AS (
  SELECT a.rowid AS row_a, b.rowid AS row_b
  FROM (SELECT rowid, user_id, item, ref, action, value FROM __plan_a__) a
  FULL OUTER JOIN (SELECT rowid, user_id, item, ref, action, value FROM __plan_b__) b
    ON a.user_id = b.user_id AND a.item = b.item AND coalesce(a.ref, '') = coalesce(b.ref, '')
  WHERE a.action IS DISTINCT FROM b.action OR a.value IS DISTINCT FROM b.value
)
SELECT
  coalesce(a.user_id, b.user_id) AS user_id,
  coalesce(a.username, b.username) AS username,
  coalesce(b.upn, a.upn) AS upn,
  coalesce(a.item, b.item) AS item,
  coalesce(a.ref, b.ref) AS ref,
  a.action AS before_action,
  a.value AS before_value,
  b.action AS after_action,
  b.value AS after_value,
  a.reason AS before_reason,
  b.reason AS after_reason
FROM differ d
LEFT JOIN __plan_a__ a ON a.rowid = d.row_a
LEFT JOIN __plan_b__ b ON b.rowid = d.row_b;

-- name: compare_counts
-- What-if: outcome counts per item and action in plan A and plan B side by side, in item order.
WITH a AS (SELECT item, action, count(*) AS n FROM __plan_a__ GROUP BY ALL),
     b AS (SELECT item, action, count(*) AS n FROM __plan_b__ GROUP BY ALL)
SELECT coalesce(a.item, b.item) AS item, coalesce(a.action, b.action) AS action,
       coalesce(a.n, 0) AS n_a, coalesce(b.n, 0) AS n_b
FROM a FULL OUTER JOIN b ON a.item = b.item AND a.action = b.action
ORDER BY list_position($items, coalesce(a.item, b.item)), greatest(coalesce(a.n, 0), coalesce(b.n, 0)) DESC, 2;

-- name: diff_counts
SELECT count(DISTINCT username), count(*) FROM __diff__;

-- name: diff_head
-- The first $limit differing outcomes of a what-if, for the CLI.
SELECT username, item, ref, before_action, before_value, after_action, after_value
FROM __diff__
ORDER BY user_id, list_position($items, item), ref
LIMIT $limit;

-- name: export_plan
-- What an exported plan holds, in plan order: by user, then item, then device id.
SELECT username, upn, item, ref, action, value, reason FROM __plan__
ORDER BY user_id, list_position($items, item), try_cast(ref AS BIGINT) NULLS FIRST, ref;

-- name: export_diff
-- What an exported what-if holds, in plan order.
SELECT username, upn, item, ref, before_action, before_value, after_action, after_value, before_reason,
       after_reason
FROM __diff__
ORDER BY user_id, list_position($items, item), try_cast(ref AS BIGINT) NULLS FIRST, ref;
