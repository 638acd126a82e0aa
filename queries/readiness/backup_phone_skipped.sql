-- id: backup_phone_skipped
-- title: Backup phones skipped because both phones have an extension
-- severity: warning
-- why: Entra has one office phone. When the primary and the backup phone both carry an extension, the
--   utility writes the primary to the office slot and skips the backup phone entirely.
-- remediation: Accept the loss, or remove one extension in MFA Server (a direct number for the backup
--   becomes the alternate phone).
SELECT
  'phone' AS subject_type,
  CAST(p.user_id AS VARCHAR) || '/backup_phone' AS subject_id,
  p.user_id,
  u.username,
  u.upn,
  format('backup phone with extension "{}" skipped: the primary phone also has extension "{}"',
         trim(m.backup_extension), trim(m.extension)) AS detail
FROM __plan__ p
JOIN rd_users u USING (user_id)
JOIN rd_phones_entered m USING (user_id)
WHERE p.item = 'backup_phone' AND p.action = 'skip_both_extensions'
ORDER BY p.user_id;
