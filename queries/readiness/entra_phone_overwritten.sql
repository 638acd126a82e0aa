-- id: entra_phone_overwritten
-- title: Entra phone numbers that will be overwritten
-- severity: warning
-- why: Entra holds one phone per slot. Where the user already has a different number in the slot the
--   migration writes, the Entra number is replaced, even if the user registered it recently in Entra.
-- remediation: Check with the user which number is current; fix MFA Server first if Entra is right, or
--   leave "phone"/"backup_phone" out of [migrate] methods for these users.
SELECT
  'phone' AS subject_type,
  CAST(p.user_id AS VARCHAR) || '/' || p.item AS subject_id,
  p.user_id,
  u.username,
  u.upn,
  format('{} phone {} in Entra will be replaced by {}',
         CASE em.phone_type WHEN 'alternateMobile' THEN 'alternate' ELSE em.phone_type END,
         em.phone_number, p.value) AS detail
FROM __plan__ p
JOIN rd_users u USING (user_id)
JOIN entra_methods em
  ON hash(em.user_id) = u.entra_key
 AND em.kind = 'phone'
 AND em.phone_type = CASE p.action
       WHEN 'write_mobile' THEN 'mobile'
       WHEN 'write_mobile_drop_extension' THEN 'mobile'
       WHEN 'write_alternate' THEN 'alternateMobile'
       WHEN 'write_office' THEN 'office' END
WHERE p.item IN ('phone', 'backup_phone')
  AND p.action IN ('write_mobile', 'write_mobile_drop_extension', 'write_alternate', 'write_office')
ORDER BY p.user_id, p.item;
