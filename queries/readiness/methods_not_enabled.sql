-- id: methods_not_enabled
-- title: MFA Server methods in use that the authentication methods policy does not enable
-- severity: blocker
-- why: Every method users have on MFA Server must be enabled in Entra's authentication methods policy;
--   otherwise the migrated methods exist but cannot be used, and the utility moves the default method
--   elsewhere.
-- remediation: Enable the named configuration (Voice call, SMS, Microsoft Authenticator, Hardware OATH
--   tokens) in Entra > Protection > Authentication methods > Policies, for at least the migrating users.
WITH pol AS (
  SELECT * FROM rd_policy WHERE known AND NOT (voice AND sms AND push AND hardware_oath)
),
counts AS (  -- one pass over the counted users, and only when some configuration is off
  SELECT
    count(*) FILTER (WHERE u.method = 'phone_call') AS phone_call,
    count(*) FILTER (WHERE u.method = 'text_message') AS text_message,
    count(*) FILTER (WHERE u.method = 'mobile_app' OR d.user_id IS NOT NULL) AS mobile_app,
    count(*) FILTER (WHERE u.method = 'oath_token' OR u.has_token) AS oath_token,
    count(*) FILTER (WHERE u.has_backup_phone) AS backup_phone
  FROM rd_users u
  LEFT JOIN (SELECT DISTINCT user_id FROM mfa_devices) d USING (user_id)
  WHERE u.counted AND EXISTS (SELECT 1 FROM pol)
),
in_use(method, label, config, users) AS (
  SELECT 'phone_call', 'Phone call', 'Voice', phone_call FROM counts
  UNION ALL SELECT 'text_message', 'Text message', 'Sms', text_message FROM counts
  UNION ALL SELECT 'mobile_app', 'Mobile app', 'MicrosoftAuthenticator', mobile_app FROM counts
  UNION ALL SELECT 'oath_token', 'OATH token', 'HardwareOath', oath_token FROM counts
  UNION ALL SELECT 'backup_phone', 'Backup phone (voice only in Entra)', 'Voice', backup_phone FROM counts
)
SELECT
  'method' AS subject_type,
  i.method AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('{} user(s) use {}; the policy''s {} configuration is not enabled', i.users, i.label, i.config) AS detail
FROM in_use i
CROSS JOIN pol
WHERE i.users > 0
  AND NOT CASE i.config
        WHEN 'Voice' THEN pol.voice
        WHEN 'Sms' THEN pol.sms
        WHEN 'MicrosoftAuthenticator' THEN pol.push
        WHEN 'HardwareOath' THEN pol.hardware_oath
      END
ORDER BY i.method;
