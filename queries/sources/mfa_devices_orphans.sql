-- Devices whose user is not in mfa_users (no such user_id in the datafile, or the user was rejected):
-- reported, then removed, once after the last batch. `line` is the device's rowid (its device_id in the
-- DESIGN 3.1a layout); fingerprints show as <redacted> like the secrets they stand for.
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT $source, d.device_id, 'user_id',
       'the device''s user is not in mfa_users (no such user, or the user was rejected); the device is left out',
       to_json(struct_pack(
         device_id := CAST(d.device_id AS VARCHAR), user_id := CAST(d.user_id AS VARCHAR),
         device_name := d.device_name, device_token := redact(d.device_token_sha256),
         oath_secret := redact(d.oath_secret_sha256), notification_type := d.notification_type,
         app_version := d.app_version, account_name := d.account_name,
         activated_at := d.activated_at))::VARCHAR
FROM mfa_devices AS d
ANTI JOIN mfa_users AS u ON u.user_id = d.user_id;

DELETE FROM mfa_devices AS d
WHERE NOT EXISTS (SELECT 1 FROM mfa_users AS u WHERE u.user_id = d.user_id);
