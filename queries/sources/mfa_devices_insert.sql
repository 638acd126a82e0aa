-- Move one checked batch of devices into the workspace: unusable rows to rejects, the rest to mfa_devices.
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT $source, source_line, reject_column, reject_reason, raw
FROM mfa_devices_checked
WHERE reject_column IS NOT NULL;

INSERT INTO mfa_devices (
  device_id, user_id, device_name, device_token_sha256, oath_secret_sha256, notification_type,
  app_version, account_name, activated_at)
SELECT
  device_id, user_id, device_name, device_token_sha256, oath_secret_sha256, notification_type,
  app_version, account_name, activated_at
FROM mfa_devices_checked
WHERE reject_column IS NULL;
