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
u AS (  -- counted users, read only when some configuration is off
  SELECT user_id, method, has_token, has_backup_phone
  FROM rd_users
  WHERE EXISTS (SELECT 1 FROM pol) AND counted
),
dev AS (SELECT DISTINCT user_id FROM mfa_devices WHERE EXISTS (SELECT 1 FROM pol)),
in_use AS (
  SELECT 'phone_call' AS method, 'Phone call' AS label, 'Voice' AS config,
         count(*) FILTER (WHERE u.method = 'phone_call') AS users FROM u
  UNION ALL
  SELECT 'text_message', 'Text message', 'Sms',
         count(*) FILTER (WHERE u.method = 'text_message') FROM u
  UNION ALL
  SELECT 'mobile_app', 'Mobile app', 'MicrosoftAuthenticator',
         count(*) FILTER (WHERE u.method = 'mobile_app' OR dev.user_id IS NOT NULL)
  FROM u LEFT JOIN dev USING (user_id)
  UNION ALL
  SELECT 'oath_token', 'OATH token', 'HardwareOath',
         count(*) FILTER (WHERE u.method = 'oath_token' OR u.has_token) FROM u
  UNION ALL
  SELECT 'backup_phone', 'Backup phone (voice only in Entra)', 'Voice',
         count(*) FILTER (WHERE u.has_backup_phone) FROM u
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
