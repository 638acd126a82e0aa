-- MFA Server user groups with their user counts (batch selection by group).
SELECT coalesce(nullif(trim(user_group), ''), '(no group)') AS user_group, count(*) AS users
FROM mfa_users GROUP BY 1 ORDER BY users DESC, 1
