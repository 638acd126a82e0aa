-- MFA Server user ids in the given user groups ('(no group)' = none set).
SELECT user_id FROM mfa_users
WHERE list_contains($groups, coalesce(nullif(trim(user_group), ''), '(no group)'))
ORDER BY user_id
