-- The load's queries (analysis/sources/workspace.py): session settings, staged MFA Server rows checked
-- and inserted (rejects kept), and the load's own record.

-- name: load_settings
-- DuckDB settings for the duration of a load: the memory DuckDB may use before it spills to disk. With
-- the Arrow chunks in flight this keeps a 1,000,000-user load's peak RSS well under 4 GB.
SET memory_limit = '1800MB';
SET enable_progress_bar = false;

-- name: load_unordered
-- After the snapshot is staged (the only step whose row order matters: record ordinal = line number),
-- let DuckDB insert in parallel without keeping the input order.
SET preserve_insertion_order = false;

-- name: mfa_users_from_json
-- The datafile's users as the loader's staging relation: one JSON array per row (pf_chunk.j, a
-- registered in-memory frame read with sources/datafile.sql users_rows, same positions) taken apart into the
-- canonical text columns. Raw secrets exist only in this in-memory view; sources/workspace.sql mfa_users_check
-- fingerprints them.
CREATE OR REPLACE TEMP VIEW mfa_users_stage AS
SELECT
  v[1] AS source_line, v[2] AS user_id, v[3] AS username, v[4] AS object_sid, v[5] AS first_name,
  v[6] AS last_name, v[7] AS email, v[8] AS user_group, v[9] AS enabled, v[10] AS country_code,
  v[11] AS phone, v[12] AS extension, v[13] AS backup_country_code, v[14] AS backup_phone,
  v[15] AS backup_extension, v[16] AS method, v[17] AS phone_mode, v[18] AS text_mode,
  v[19] AS text_direction, v[20] AS app_mode, v[21] AS pin_hash, v[22] AS language, v[23] AS oath_serial,
  v[24] AS oath_secret, v[25] AS oath_kind, v[26] AS oath_time_step, v[27] AS created_at,
  v[28] AS modified_at, v[29] AS last_migrated_at, v[30] AS migrated_selection
FROM (SELECT json_transform(j, '["VARCHAR"]') AS v FROM pf_chunk);

-- name: mfa_users_check
-- Validate and type one batch of staged MFA Server users (mfa_users_stage: every column text, from the
-- datafile or the Export Users CSV). Secrets leave this statement only as fingerprints (pin_hash only as
-- has_pin); the first failed check names the column that makes a row unusable.
CREATE OR REPLACE TEMP VIEW mfa_users_checked AS
WITH typed AS MATERIALIZED (
  SELECT
    *,
    TRY_CAST(trim(user_id) AS BIGINT)                                   AS user_id_int,
    mfa_flag(enabled)                                                   AS enabled_bool,
    mfa_method(method)                                                  AS method_norm,
    CASE WHEN present(oath_kind) THEN lower(trim(oath_kind)) END        AS oath_kind_norm,
    TRY_CAST(trim(oath_time_step) AS INTEGER)                           AS oath_time_step_int
  FROM mfa_users_stage
), checked AS (
  SELECT
    *,
    CASE
      WHEN user_id_int IS NULL THEN 'user_id'
      WHEN NOT present(username) THEN 'username'
      WHEN enabled_bool IS NULL THEN 'enabled'
      WHEN method_norm IS NULL THEN 'method'
      WHEN oath_kind_norm IS NOT NULL AND oath_kind_norm NOT IN ('totp', 'hotp') THEN 'oath_kind'
      WHEN present(oath_time_step) AND oath_time_step_int IS NULL THEN 'oath_time_step'
    END AS reject_column
  FROM typed
)
SELECT
  TRY_CAST(source_line AS BIGINT) AS source_line,
  user_id_int          AS user_id,
  username, object_sid, first_name, last_name, email, user_group,
  enabled_bool         AS enabled,
  country_code, phone, extension, backup_country_code, backup_phone, backup_extension,
  method_norm          AS method,
  phone_mode, text_mode, text_direction, app_mode,
  present(pin_hash)    AS has_pin,
  language, oath_serial,
  secret_sha256(oath_secret) AS oath_secret_sha256,
  oath_kind_norm       AS oath_kind,
  oath_time_step_int   AS oath_time_step,
  created_at, modified_at, last_migrated_at, migrated_selection,
  reject_column,
  CASE reject_column
    WHEN 'user_id' THEN 'user_id is missing or not a whole number; the user is left out'
    WHEN 'username' THEN 'username is missing; the user is left out'
    WHEN 'enabled' THEN 'enabled flag is not 1/0, true/false or yes/no; the user is left out'
    WHEN 'method' THEN 'method is not phone_call, text_message, mobile_app or oath_token (or a console label for them); the user is left out'
    WHEN 'oath_kind' THEN 'oath_kind is not totp or hotp; the user is left out'
    WHEN 'oath_time_step' THEN 'oath_time_step is not a whole number; the user is left out'
  END AS reject_reason,
  CASE WHEN reject_column IS NOT NULL THEN to_json(struct_pack(
    user_id := user_id, username := username, object_sid := object_sid, first_name := first_name,
    last_name := last_name, email := email, user_group := user_group, enabled := enabled,
    country_code := country_code, phone := phone, extension := extension,
    backup_country_code := backup_country_code, backup_phone := backup_phone,
    backup_extension := backup_extension, method := method, phone_mode := phone_mode,
    text_mode := text_mode, text_direction := text_direction, app_mode := app_mode,
    pin_hash := redact(pin_hash), language := language, oath_serial := oath_serial,
    oath_secret := redact(oath_secret), oath_kind := oath_kind, oath_time_step := oath_time_step,
    created_at := created_at, modified_at := modified_at, last_migrated_at := last_migrated_at,
    migrated_selection := migrated_selection))::VARCHAR END AS raw
FROM checked;

-- name: mfa_users_insert
-- Insert the usable rows of one checked batch into mfa_users; returns how many. When that is fewer than the
-- batch had, the loader runs sources/workspace.sql mfa_users_rejects for the rest (a second pass only for such batches).
INSERT INTO mfa_users (
  user_id, username, object_sid, first_name, last_name, email, user_group, enabled, country_code, phone,
  extension, backup_country_code, backup_phone, backup_extension, method, phone_mode, text_mode,
  text_direction, app_mode, has_pin, language, oath_serial, oath_secret_sha256, oath_kind, oath_time_step,
  created_at, modified_at, last_migrated_at, migrated_selection, details_known, source_line)
SELECT
  user_id, username, object_sid, first_name, last_name, email, user_group, enabled, country_code, phone,
  extension, backup_country_code, backup_phone, backup_extension, method, phone_mode, text_mode,
  text_direction, app_mode, has_pin, language, oath_serial, oath_secret_sha256, oath_kind, oath_time_step,
  created_at, modified_at, last_migrated_at, migrated_selection, $details_known, source_line
FROM mfa_users_checked
WHERE reject_column IS NULL;

-- name: mfa_users_rejects
-- The unusable rows of one checked batch of MFA Server users, with their reasons (run only when the batch
-- inserted fewer rows than it had).
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT $source, source_line, reject_column, reject_reason, raw
FROM mfa_users_checked
WHERE reject_column IS NOT NULL;

-- name: mfa_devices_from_json
-- The datafile's devices as the loader's staging relation (see sources/workspace.sql mfa_users_from_json; positions match
-- sources/datafile.sql devices_rows).
CREATE OR REPLACE TEMP VIEW mfa_devices_stage AS
SELECT
  v[1] AS source_line, v[2] AS device_id, v[3] AS user_id, v[4] AS device_name, v[5] AS device_token,
  v[6] AS oath_secret, v[7] AS notification_type, v[8] AS app_version, v[9] AS account_name,
  v[10] AS activated_at
FROM (SELECT json_transform(j, '["VARCHAR"]') AS v FROM pf_chunk);

-- name: mfa_devices_check
-- Validate one batch of staged datafile devices (mfa_devices_stage, every column text). Device tokens and
-- OATH secrets leave this view only as fingerprints. Devices whose user is missing or was rejected
-- are found once, after the last batch (sources/workspace.sql mfa_devices_orphans).
CREATE OR REPLACE TEMP VIEW mfa_devices_checked AS
WITH typed AS MATERIALIZED (
  SELECT
    *,
    TRY_CAST(trim(device_id) AS BIGINT) AS device_id_int,
    TRY_CAST(trim(user_id) AS BIGINT)   AS user_id_int
  FROM mfa_devices_stage
), checked AS (
  SELECT
    t.*,
    CASE
      WHEN t.device_id_int IS NULL THEN 'device_id'
      WHEN t.user_id_int IS NULL THEN 'user_id'
    END AS reject_column
  FROM typed AS t
)
SELECT
  TRY_CAST(source_line AS BIGINT)  AS source_line,
  device_id_int                    AS device_id,
  user_id_int                      AS user_id,
  device_name,
  token_sha256(device_token)       AS device_token_sha256,
  secret_sha256(oath_secret)       AS oath_secret_sha256,
  notification_type, app_version, account_name, activated_at,
  reject_column,
  CASE
    WHEN device_id_int IS NULL THEN 'device_id is missing or not a whole number; the device is left out'
    WHEN user_id_int IS NULL THEN 'user_id is missing or not a whole number; the device is left out'
  END AS reject_reason,
  CASE WHEN reject_column IS NOT NULL THEN to_json(struct_pack(
    device_id := device_id, user_id := user_id, device_name := device_name,
    device_token := redact(device_token), oath_secret := redact(oath_secret),
    notification_type := notification_type, app_version := app_version, account_name := account_name,
    activated_at := activated_at))::VARCHAR END AS raw
FROM checked;

-- name: mfa_devices_insert
-- Insert the usable rows of one checked batch into mfa_devices; returns how many. When that is fewer than the
-- batch had, the loader runs sources/workspace.sql mfa_devices_rejects for the rest (a second pass only for such batches).
INSERT INTO mfa_devices (
  device_id, user_id, device_name, device_token_sha256, oath_secret_sha256, notification_type,
  app_version, account_name, activated_at)
SELECT
  device_id, user_id, device_name, device_token_sha256, oath_secret_sha256, notification_type,
  app_version, account_name, activated_at
FROM mfa_devices_checked
WHERE reject_column IS NULL;

-- name: mfa_devices_rejects
-- The unusable rows of one checked batch of datafile devices, with their reasons (run only when the batch
-- inserted fewer rows than it had).
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT $source, source_line, reject_column, reject_reason, raw
FROM mfa_devices_checked
WHERE reject_column IS NOT NULL;

-- name: mfa_devices_orphans
-- Devices whose user is not in mfa_users (no such user_id in the datafile, or the user was rejected):
-- reported, then removed, once after the last batch. `line` is the device's rowid (its device_id in the
-- docs/workspace.md layout); fingerprints show as <redacted> like the secrets they stand for.
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT $source, d.device_id, 'user_id',
       'the device''s user is not in mfa_users (no such user, or the user was rejected); the device is left out',
       to_json(struct_pack(
         device_id := CAST(d.device_id AS VARCHAR), user_id := CAST(d.user_id AS VARCHAR),
         device_name := d.device_name, device_token := redact(d.device_token_sha256),
         oath_secret := redact(d.oath_secret_sha256), notification_type := d.notification_type,
         app_version := d.app_version, account_name := d.account_name,
         activated_at := d.activated_at))::VARCHAR
FROM mfa_devices AS d
ANTI JOIN mfa_users AS u ON u.user_id = d.user_id;

DELETE FROM mfa_devices AS d
WHERE NOT EXISTS (SELECT 1 FROM mfa_users AS u WHERE u.user_id = d.user_id);

-- name: mfa_small_insert
-- The datafile's small tables from one registered frame pf_small(kind, a, b, c, d)
-- (see sources/datafile.sql small_rows): settings, authentication services and meta keys.
INSERT INTO mfa_settings (section, key, value)
SELECT a, b, c FROM pf_small WHERE kind = 'setting';

INSERT INTO mfa_auth_services (service, name, detail, enabled)
SELECT a, b, c, mfa_flag(d) FROM pf_small WHERE kind = 'service';

INSERT INTO mfa_meta (key, value)
SELECT a, b FROM pf_small WHERE kind = 'meta';

-- name: mfa_user_extra_insert
-- Unknown Export Users CSV columns of the users just accepted (csv_extra: user_id, column, value).
INSERT INTO mfa_user_extra (user_id, "column", value)
SELECT e.user_id, e."column", e.value
FROM csv_extra AS e
WHERE e.user_id IN (SELECT user_id FROM mfa_users);

-- name: rejects_insert
-- Rows a Python reader found unusable before SQL saw them (e.g. a CSV row with the wrong number of
-- fields), from the registered frame reader_rejects(line, column, reason, raw).
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT $source, line, "column", reason, raw FROM reader_rejects;

-- name: mfa_duplicates
-- Keys that must be unique in the MFA Server data, as (what, key, lines, count); the loader stops with
-- one error listing the first few. Usernames compare exactly as stored (the plan's key).
SELECT * FROM (
  SELECT 'username' AS what, username AS key,
         list(source_line ORDER BY source_line)[1:5] AS lines, count(*) AS n
  FROM mfa_users GROUP BY username HAVING count(*) > 1
  UNION ALL
  SELECT 'user_id', CAST(user_id AS VARCHAR), list(source_line ORDER BY source_line)[1:5], count(*)
  FROM mfa_users GROUP BY user_id HAVING count(*) > 1
  UNION ALL
  SELECT 'device_id', CAST(device_id AS VARCHAR), list(device_id)[1:1], count(*)
  FROM mfa_devices GROUP BY device_id HAVING count(*) > 1
)
ORDER BY what DESC, lines[1]
LIMIT 6

-- name: record_load
-- The load's own record, kept across loads: one `loads` row and one `load_sources` row per input file
-- (from the registered frame load_source_rows(source, path, sha256, rows)).
INSERT INTO loads (load_id, loaded_at, datafile_kind, tool_version)
VALUES ($load_id, $loaded_at, $datafile_kind, $tool_version);

INSERT INTO load_sources (load_id, source, path, sha256, rows)
SELECT $load_id, source, path, sha256, rows FROM load_source_rows;

-- name: load_counts
-- Rows per table after a load, in the order `mfa-migrate load` prints them.
SELECT 'mfa_users' AS "table", count(*) AS "rows" FROM mfa_users
UNION ALL SELECT 'mfa_devices', count(*) FROM mfa_devices
UNION ALL SELECT 'mfa_phones', count(*) FROM mfa_phones
UNION ALL SELECT 'mfa_user_extra', count(*) FROM mfa_user_extra
UNION ALL SELECT 'mfa_settings', count(*) FROM mfa_settings
UNION ALL SELECT 'mfa_auth_services', count(*) FROM mfa_auth_services
UNION ALL SELECT 'mfa_meta', count(*) FROM mfa_meta
UNION ALL SELECT 'tenant_info', count(*) FROM tenant_info
UNION ALL SELECT 'entra_users', count(*) FROM entra_users
UNION ALL SELECT 'entra_methods', count(*) FROM entra_methods
UNION ALL SELECT 'entra_groups', count(*) FROM entra_groups
UNION ALL SELECT 'entra_group_members', count(*) FROM entra_group_members
UNION ALL SELECT 'entra_group_transitive_users', count(*) FROM entra_group_transitive_users
UNION ALL SELECT 'entra_method_configs', count(*) FROM entra_method_configs
UNION ALL SELECT 'entra_rollout_policies', count(*) FROM entra_rollout_policies
UNION ALL SELECT 'entra_rollout_policy_groups', count(*) FROM entra_rollout_policy_groups
UNION ALL SELECT 'entra_domains', count(*) FROM entra_domains
UNION ALL SELECT 'entra_ledger', count(*) FROM entra_ledger
UNION ALL SELECT 'rejects', count(*) FROM rejects

-- name: load_rejects
-- Rejected rows of the current load by source and reason, most frequent first.
SELECT source, reason, count(*) AS "rows"
FROM rejects
GROUP BY source, reason
ORDER BY source, count(*) DESC, reason
