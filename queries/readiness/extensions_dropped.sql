-- id: extensions_dropped
-- title: Extensions the utility will drop
-- severity: warning
-- why: When a user's default method is Text message, the utility drops the primary phone's extension and
--   writes the number as the mobile phone. Calls to that number no longer reach the extension.
-- remediation: Accept it (the SMS number is what the user uses), or give the user a direct mobile number
--   in MFA Server before migrating.
SELECT
  'phone' AS subject_type,
  CAST(p.user_id AS VARCHAR) || '/' || p.item AS subject_id,
  p.user_id,
  u.username,
  u.upn,
  format('extension "{}" dropped (default method is Text message); mobile phone becomes {}',
         trim(m.extension), p.value) AS detail
FROM __plan__ p
JOIN rd_users u USING (user_id)
JOIN rd_phones_entered m USING (user_id)
WHERE p.item = 'phone' AND p.action = 'write_mobile_drop_extension'
ORDER BY p.user_id;
