-- id: pin_phone_call
-- title: Phone call users in PIN mode
-- severity: info
-- why: Entra has no PIN for phone calls; the PIN is not migrated. Microsoft's mapping for "Phone call
--   (PIN)" is to enable Voice OTP so users still prove presence by entering a code.
-- remediation: Enable Voice OTP for these users (Company Settings mapping: Phone call (PIN) -> Enable
--   Voice OTP), and tell them the PIN prompt goes away.
SELECT
  'user' AS subject_type,
  CAST(u.user_id AS VARCHAR) AS subject_id,
  u.user_id,
  u.username,
  u.upn,
  format('phone call in PIN mode (default method: {}); the PIN is not migrated', u.method) AS detail
FROM rd_users u
WHERE u.counted AND u.phone_pin
ORDER BY u.user_id;
