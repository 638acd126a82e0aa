-- id: alternate_requires_mobile
-- title: Alternate phones Graph will refuse (no mobile phone)
-- severity: blocker
-- why: Graph only accepts an alternate mobile phone when the user already has a mobile phone. Users
--   whose primary phone goes to the office slot (it has an extension) and who have no mobile in Entra
--   get their backup phone refused.
-- remediation: Register a mobile phone for the user in Entra first, or swap primary and backup phone in
--   MFA Server so the number without an extension is the primary.
SELECT
  'phone' AS subject_type,
  CAST(p.user_id AS VARCHAR) || '/backup_phone' AS subject_id,
  p.user_id,
  u.username,
  u.upn,
  format('alternate phone {} refused: the user will have no mobile phone ({})',
         coalesce(nullif(ph.graph_number, ''), 'number'),
         coalesce(nullif(p.reason, ''), 'primary phone not written as mobile')) AS detail
FROM __plan__ p
JOIN rd_users u USING (user_id)
LEFT JOIN mfa_phones ph ON ph.user_id = p.user_id AND ph.slot = 'backup_phone'
WHERE p.item = 'backup_phone' AND p.action = 'fail_alternate_requires_mobile'
ORDER BY p.user_id;
