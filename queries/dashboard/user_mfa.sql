-- One MFA Server user as the utility's View shows it (no secrets: fingerprints are not selected).
SELECT
  u.user_id, u.username, trim(concat_ws(' ', u.first_name, u.last_name)) AS name, u.email, u.object_sid,
  u.user_group, u.enabled, u.method, u.phone_mode, u.text_mode, u.text_direction, u.app_mode, u.has_pin,
  u.language, u.country_code, u.phone, u.extension, u.backup_country_code, u.backup_phone,
  u.backup_extension, u.oath_serial, u.oath_kind, u.oath_time_step,
  u.oath_secret_sha256 IS NOT NULL AS oath_has_secret,
  u.created_at, u.modified_at, u.last_migrated_at, u.migrated_selection, u.details_known,
  ph.graph_number AS phone_graph, ph.valid AS phone_valid, ph.error AS phone_error,
  bp.graph_number AS backup_graph, bp.valid AS backup_valid, bp.error AS backup_error
FROM mfa_users AS u
LEFT JOIN mfa_phones AS ph ON ph.user_id = u.user_id AND ph.slot = 'phone'
LEFT JOIN mfa_phones AS bp ON bp.user_id = u.user_id AND bp.slot = 'backup_phone'
WHERE u.user_id = $user_id
