-- The datafile's queries (analysis/sources/datafile.py), run by SQLite against PhoneFactor.pfdata through
-- the views of the mapping queries/sources/pfdata.sql.

-- name: small_rows
-- The datafile's small tables in one pass (SQLite side): kind, then three text columns (four for services).
SELECT 'setting', section, key, value, NULL FROM pf_settings
UNION ALL
SELECT 'service', service, name, detail, enabled FROM pf_auth_services
UNION ALL
SELECT 'meta', key, value, NULL, NULL FROM pf_meta

-- name: users_rows
-- One JSON array per datafile user (SQLite side): a single cell per row keeps Python's per-row cost low,
-- and an array (no keys) is the cheapest shape for SQLite to write and DuckDB to take apart. The
-- positions must match sources/workspace.sql mfa_users_from_json. Columns come from pf_users (pfdata.sql).
SELECT json_array(
  source_line, user_id, username, object_sid, first_name, last_name, email, user_group, enabled,
  country_code, phone, extension, backup_country_code, backup_phone, backup_extension, method,
  phone_mode, text_mode, text_direction, app_mode, pin_hash, language, oath_serial, oath_secret,
  oath_kind, oath_time_step, created_at, modified_at, last_migrated_at, migrated_selection)
FROM pf_users

-- name: devices_rows
-- One JSON array per datafile device (SQLite side); positions match sources/workspace.sql mfa_devices_from_json.
SELECT json_array(
  source_line, device_id, user_id, device_name, device_token, oath_secret, notification_type,
  app_version, account_name, activated_at)
FROM pf_devices

-- name: wanted_users
-- Scratch list of usernames for sources/datafile.sql oath_secrets (SQLite TEMP table, gone with the connection).
CREATE TEMP TABLE wanted_users (username TEXT PRIMARY KEY)

-- name: oath_secrets
-- Raw hardware-token secrets of the wanted users (SQLite side; temp.wanted_users is filled by the caller).
-- Used only at the moment a token is written to Entra; the result is never logged or stored.
SELECT u.username, u.oath_secret
FROM pf_users AS u
JOIN temp.wanted_users AS w ON w.username = u.username
WHERE u.oath_secret IS NOT NULL AND trim(u.oath_secret) <> ''
