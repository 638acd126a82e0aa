-- One JSON array per datafile user (SQLite side): a single cell per row keeps Python's per-row cost low,
-- and an array (no keys) is the cheapest shape for SQLite to write and DuckDB to take apart. The
-- positions must match mfa_users_from_json.sql. Columns come from pf_users (pfdata.sql).
SELECT json_array(
  source_line, user_id, username, object_sid, first_name, last_name, email, user_group, enabled,
  country_code, phone, extension, backup_country_code, backup_phone, backup_extension, method,
  phone_mode, text_mode, text_direction, app_mode, pin_hash, language, oath_serial, oath_secret,
  oath_kind, oath_time_step, created_at, modified_at, last_migrated_at, migrated_selection)
FROM pf_users
