-- Insert the usable rows of one checked batch into mfa_users; returns how many. When that is fewer than the
-- batch had, the loader runs mfa_users_rejects.sql for the rest (a second pass only for such batches).
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
