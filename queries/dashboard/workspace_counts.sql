-- Headline counts from the loaded tables, whatever the settings (Overview tiles, sidebar).
SELECT
  (SELECT count(*) FROM mfa_users)                               AS mfa_users,
  (SELECT count(*) FROM mfa_users WHERE enabled)                 AS mfa_enabled,
  (SELECT count(*) FROM mfa_devices)                             AS mfa_devices,
  (SELECT count(DISTINCT user_id) FROM mfa_devices)              AS mfa_users_with_devices,
  (SELECT count(*) FROM mfa_users WHERE nullif(trim(oath_serial), '') IS NOT NULL) AS mfa_oath_tokens,
  (SELECT count(*) FROM entra_users)                             AS entra_users,
  (SELECT count(*) FROM entra_methods)                           AS entra_methods,
  (SELECT count(*) FROM rejects)                                 AS rejects
