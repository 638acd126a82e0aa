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
  CAST(m.user_id AS VARCHAR) AS subject_id,
  m.user_id,
  u.username,
  u.upn,
  format('mobile app in PIN mode (default method: {}); number matching replaces the PIN', m.method) AS detail
FROM mfa_users m
JOIN rd_users u USING (user_id)
WHERE u.counted AND lower(m.app_mode) = 'pin'
ORDER BY m.user_id;
