-- One user's Authenticator devices on MFA Server, newest first, with the plan's outcome for each.
SELECT
  d.device_id, d.device_name, d.activated_at, d.app_version, d.notification_type, d.account_name,
  p.action, p.reason
FROM mfa_devices AS d
LEFT JOIN {plan} AS p ON p.user_id = d.user_id AND p.item = 'device' AND p.ref = CAST(d.device_id AS VARCHAR)
WHERE d.user_id = $user_id
ORDER BY d.activated_at DESC NULLS LAST, d.device_id DESC
