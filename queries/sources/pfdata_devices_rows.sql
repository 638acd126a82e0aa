-- One JSON array per datafile device (SQLite side); positions match mfa_devices_from_json.sql.
SELECT json_array(
  source_line, device_id, user_id, device_name, device_token, oath_secret, notification_type,
  app_version, account_name, activated_at)
FROM pf_devices
