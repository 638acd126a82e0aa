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
