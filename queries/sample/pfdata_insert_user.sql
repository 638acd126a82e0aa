INSERT INTO users (user_id, username, object_sid, first_name, last_name, email, user_group, enabled,
  country_code, phone, extension, backup_country_code, backup_phone, backup_extension, method, phone_mode,
  text_mode, text_direction, app_mode, pin_hash, pin_salt, language, oath_serial, oath_secret, oath_kind,
  oath_time_step, created_at, modified_at, last_migrated_at, migrated_selection)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
