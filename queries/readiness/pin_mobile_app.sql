-- id: pin_mobile_app
-- title: Mobile app users in PIN mode
-- severity: info
-- why: Entra has no PIN for Authenticator approvals; the PIN is not migrated. Microsoft's mapping for
--   "Mobile app (PIN)" is number matching, which gives the same proof of presence.
-- remediation: Make sure number matching is on for Microsoft Authenticator (it is enforced for push
--   notifications in current tenants); for RADIUS clients that cannot show the number, set the NPS
--   extension's OVERRIDE_NUMBER_MATCHING_WITH_OTP.
SELECT
  'user' AS subject_type,
  CAST(u.user_id AS VARCHAR) AS subject_id,
  u.user_id,
  u.username,
  u.upn,
  format('mobile app in PIN mode (default method: {}); number matching replaces the PIN', u.method) AS detail
FROM rd_users u
WHERE u.counted AND u.app_pin
ORDER BY u.user_id;
