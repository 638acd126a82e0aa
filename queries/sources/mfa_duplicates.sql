-- Keys that must be unique in the MFA Server data, as (what, key, lines, count); the loader stops with
-- one error listing the first few. Usernames compare exactly as stored (the plan's key).
SELECT * FROM (
  SELECT 'username' AS what, username AS key,
         list(source_line ORDER BY source_line)[1:5] AS lines, count(*) AS n
  FROM mfa_users GROUP BY username HAVING count(*) > 1
  UNION ALL
  SELECT 'user_id', CAST(user_id AS VARCHAR), list(source_line ORDER BY source_line)[1:5], count(*)
  FROM mfa_users GROUP BY user_id HAVING count(*) > 1
  UNION ALL
  SELECT 'device_id', CAST(device_id AS VARCHAR), list(device_id)[1:1], count(*)
  FROM mfa_devices GROUP BY device_id HAVING count(*) > 1
)
ORDER BY what DESC, lines[1]
LIMIT 6
