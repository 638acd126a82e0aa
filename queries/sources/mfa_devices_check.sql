-- Validate one batch of staged datafile devices (mfa_devices_stage, every column text). Device tokens and
-- OATH secrets leave this view only as fingerprints. Devices whose user is missing or was rejected
-- are found once, after the last batch (mfa_devices_orphans.sql).
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
