-- Insert the usable rows of one checked batch into mfa_devices; returns how many. When that is fewer than the
-- batch had, the loader runs mfa_devices_rejects.sql for the rest (a second pass only for such batches).
INSERT INTO mfa_devices (
  device_id, user_id, device_name, device_token_sha256, oath_secret_sha256, notification_type,
  app_version, account_name, activated_at)
SELECT
  device_id, user_id, device_name, device_token_sha256, oath_secret_sha256, notification_type,
  app_version, account_name, activated_at
FROM mfa_devices_checked
WHERE reject_column IS NULL;
