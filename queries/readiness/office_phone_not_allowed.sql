-- id: office_phone_not_allowed
-- title: Office phones while the Voice policy does not allow them
-- severity: blocker
-- why: A migrated office phone only works when the Voice method is enabled with isOfficePhoneAllowed.
--   Otherwise Graph refuses the write or the user cannot use the phone.
-- remediation: In the authentication methods policy enable Voice call and set "Office phone" allowed
--   (isOfficePhoneAllowed = true), or move these users to a method without an extension.
SELECT
  'phone' AS subject_type,
  CAST(p.user_id AS VARCHAR) || '/' || p.item AS subject_id,
  p.user_id,
  u.username,
  u.upn,
  format('office phone {} ({}): {}', p.value,
         CASE p.item WHEN 'phone' THEN 'primary phone' ELSE 'backup phone' END,
         CASE WHEN pol.voice THEN 'Voice does not allow office phones' ELSE 'Voice is not enabled' END) AS detail
FROM __plan__ p
CROSS JOIN rd_policy pol
JOIN rd_users u USING (user_id)
WHERE NOT pol.voice_office
  AND p.item IN ('phone', 'backup_phone')
  AND (p.action = 'write_office' OR (p.action = 'noop' AND p.value LIKE '%x%'))
ORDER BY p.user_id, p.item;
