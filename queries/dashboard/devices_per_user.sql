-- How many Authenticator devices MFA Server users have (0 … 6+), for the device chart.
WITH per_user AS (
  SELECT u.user_id, count(d.device_id) AS devices
  FROM mfa_users AS u LEFT JOIN mfa_devices AS d ON d.user_id = u.user_id
  GROUP BY u.user_id
)
SELECT CASE WHEN devices >= 6 THEN '6+' ELSE CAST(devices AS VARCHAR) END AS devices, count(*) AS users
FROM per_user GROUP BY 1 ORDER BY 1
