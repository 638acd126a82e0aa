-- id: portal_settings_mapping
-- title: User Portal settings and their Entra equivalents
-- severity: info
-- why: The MFA Server User Portal let users enrol, change phones, activate the app, answer security
--   questions and bypass MFA once. None of these settings migrate; each has its own Entra equivalent
--   (Microsoft's "Registration portal" table) that must be set up before users move.
-- remediation: Configure the named Entra feature for each setting in use: combined registration at
--   aka.ms/mfasetup, MFA service settings, Temporary Access Pass, trusted IPs; security questions exist in
--   Entra only for self-service password reset.
WITH mapping(priority, pattern, target) AS (
  VALUES
    (1, 'url',                                   'users go to aka.ms/mfasetup (combined registration) instead'),
    (2, 'bypass',                                'use a Temporary Access Pass instead of a one-time bypass'),
    (3, 'enrol|enroll',                          'combined security information registration (registration campaign, MFA service settings)'),
    (4, 'backup_phone',                          'MFA service settings: users add an alternate phone at aka.ms/mfasetup'),
    (5, 'security_question',                     'security questions exist in Entra only for self-service password reset'),
    (6, 'device_limit|max_devices|activations',  'Entra allows 5 Authenticator apps and OATH tokens per user in total'),
    (7, 'mobile_app|activate',                   'users add Microsoft Authenticator at aka.ms/mfasetup (MFA service settings)'),
    (8, 'oath',                                  'OATH tokens: hardware tokens are uploaded by admins, software tokens registered by users'),
    (9, 'method_selection|select_method',        'users choose their default sign-in method at aka.ms/mfasetup'),
    (10, 'phone',                                'users manage phone numbers at aka.ms/mfasetup'),
    (11, 'language',                             'Entra uses the browser''s locale'),
    (12, 'trusted_ip',                           'Entra trusted IPs / named locations in Conditional Access'),
    (13, 'enabled',                              'disable the User Portal once users manage methods in Entra (runbook: Finalize)')
),
portal AS (
  SELECT s.section, s.key, s.value
  FROM mfa_settings s
  WHERE lower(s.section) LIKE '%portal%'
    AND nullif(trim(s.value), '') IS NOT NULL
    AND lower(trim(s.value)) NOT IN ('false', '0', 'no', 'off', 'disabled')
    AND NOT EXISTS (  -- a portal that is switched off as a whole has no settings in use
      SELECT 1 FROM mfa_settings d
      WHERE d.section = s.section AND lower(d.key) = 'enabled'
        AND lower(trim(d.value)) IN ('false', '0', 'no', 'off', 'disabled'))
),
matched AS (
  SELECT p.section, p.key, p.value, arg_min(m.target, m.priority) AS target
  FROM portal p
  JOIN mapping m ON regexp_matches(lower(p.key), m.pattern)
  GROUP BY p.section, p.key, p.value
)
SELECT
  'setting' AS subject_type,
  m.section || '/' || m.key AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('{} = {}: {}', m.key, m.value, m.target) AS detail
FROM matched m
ORDER BY subject_id;
