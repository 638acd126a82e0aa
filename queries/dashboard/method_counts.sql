-- Users holding each kind of method: on MFA Server (all its users, by the slot the utility would use),
-- in Entra now and in Entra after the plan (both over the Entra users the plan matched). "After the
-- plan" assumes Graph writes and the utility's device/software-OATH work both succeed.
WITH matched AS (
  SELECT DISTINCT entra_id FROM {plan} WHERE item = 'user' AND entra_id IS NOT NULL
),
entra_now AS (
  SELECT DISTINCT m.user_id AS entra_id,
    CASE
      WHEN m.kind = 'phone' AND m.phone_type = 'mobile' THEN 'Mobile phone'
      WHEN m.kind = 'phone' AND m.phone_type = 'alternateMobile' THEN 'Alternate phone'
      WHEN m.kind = 'phone' AND m.phone_type = 'office' THEN 'Office phone'
      WHEN m.kind = 'authenticator' THEN 'Authenticator app'
      WHEN m.kind = 'hardware_oath' THEN 'Hardware OATH token'
      WHEN m.kind = 'software_oath' THEN 'Software OATH token'
    END AS method
  FROM entra_methods AS m
  SEMI JOIN matched AS x ON x.entra_id = m.user_id
),
planned AS (
  SELECT DISTINCT entra_id,
    CASE
      WHEN action IN ('write_mobile', 'write_mobile_drop_extension') THEN 'Mobile phone'
      WHEN action = 'write_alternate' THEN 'Alternate phone'
      WHEN action = 'write_office' THEN 'Office phone'
      WHEN action IN ('create_device', 'update_device') THEN 'Authenticator app'
      WHEN action IN ('create_hardware_oath', 'update_oath') THEN 'Hardware OATH token'
      WHEN action = 'create_software_oath' THEN 'Software OATH token'
    END AS method
  FROM {plan}
  WHERE entra_id IS NOT NULL
    AND action IN ('write_mobile', 'write_mobile_drop_extension', 'write_alternate', 'write_office',
                   'create_device', 'update_device', 'create_hardware_oath', 'update_oath',
                   'create_software_oath')
),
mfa AS (
  SELECT
    count(*) FILTER (WHERE nullif(trim(phone), '') IS NOT NULL AND nullif(trim(extension), '') IS NULL) AS mobile,
    count(*) FILTER (WHERE nullif(trim(backup_phone), '') IS NOT NULL
                       AND nullif(trim(backup_extension), '') IS NULL) AS alternate,
    count(*) FILTER (WHERE (nullif(trim(phone), '') IS NOT NULL AND nullif(trim(extension), '') IS NOT NULL)
                        OR (nullif(trim(backup_phone), '') IS NOT NULL
                            AND nullif(trim(backup_extension), '') IS NOT NULL)) AS office,
    count(*) FILTER (WHERE nullif(trim(oath_serial), '') IS NOT NULL) AS hardware_oath
  FROM mfa_users
)
SELECT 'MFA Server' AS population, 'Mobile phone' AS method, mobile AS users FROM mfa
UNION ALL SELECT 'MFA Server', 'Alternate phone', alternate FROM mfa
UNION ALL SELECT 'MFA Server', 'Office phone', office FROM mfa
UNION ALL SELECT 'MFA Server', 'Authenticator app', (SELECT count(DISTINCT user_id) FROM mfa_devices)
UNION ALL SELECT 'MFA Server', 'Hardware OATH token', hardware_oath FROM mfa
UNION ALL SELECT 'MFA Server', 'Software OATH token', 0
UNION ALL
SELECT 'Entra now', method, count(*) FROM entra_now WHERE method IS NOT NULL GROUP BY method
UNION ALL
SELECT 'After the plan', method, count(*)
FROM (SELECT entra_id, method FROM entra_now WHERE method IS NOT NULL UNION SELECT entra_id, method FROM planned)
GROUP BY method
