INSERT INTO mobile_app_devices (device_id, user_id, device_name, device_token, oath_secret, notification_type,
  app_version, account_name, activated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);
