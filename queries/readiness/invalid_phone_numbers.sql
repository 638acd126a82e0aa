-- id: invalid_phone_numbers
-- title: Phone numbers Graph will reject
-- severity: blocker
-- why: Graph only accepts "+{country code} {number}". A number that does not parse as a valid number for
--   its country code is not written, so the user loses that phone in Entra.
-- remediation: Correct the number or its country code in MFA Server (or the user's portal entry): no
--   trunk 0 after the country code, the country code in its own column, no letters.
SELECT
  'phone' AS subject_type,
  CAST(p.user_id AS VARCHAR) || '/' || p.item AS subject_id,
  p.user_id,
  u.username,
  u.upn,
  format('{}: "{}" (country code "{}"): {}',
         CASE p.item WHEN 'phone' THEN 'primary phone' ELSE 'backup phone' END,
         CASE p.item WHEN 'phone' THEN m.phone ELSE m.backup_phone END,
         coalesce(CASE p.item WHEN 'phone' THEN m.country_code ELSE m.backup_country_code END, ''),
         coalesce(nullif(ph.error, ''), nullif(p.reason, ''), 'not a valid number')) AS detail
FROM __plan__ p
JOIN rd_users u USING (user_id)
JOIN rd_phones_entered m USING (user_id)
LEFT JOIN mfa_phones ph ON ph.user_id = p.user_id AND ph.slot = p.item
WHERE p.item IN ('phone', 'backup_phone') AND p.action = 'invalid_number'
ORDER BY p.user_id, p.item;
