-- id: invalid_extensions
-- title: Extensions with characters other than digits
-- severity: blocker
-- why: MFA Server dials commas (pauses), * and # in extensions; Graph's "x{extension}" takes digits only.
--   The phone is not written, even where the extension would have been dropped.
-- remediation: Reduce the extension to digits in MFA Server, or move the user to a direct number
--   without an extension.
SELECT
  'phone' AS subject_type,
  CAST(p.user_id AS VARCHAR) || '/' || p.item AS subject_id,
  p.user_id,
  u.username,
  u.upn,
  format('{} extension "{}" has characters other than digits',
         CASE p.item WHEN 'phone' THEN 'primary phone' ELSE 'backup phone' END,
         CASE p.item WHEN 'phone' THEN m.extension ELSE m.backup_extension END) AS detail
FROM __plan__ p
JOIN rd_users u USING (user_id)
JOIN rd_phones_entered m USING (user_id)
WHERE p.item IN ('phone', 'backup_phone') AND p.action = 'invalid_extension'
ORDER BY p.user_id, p.item;
