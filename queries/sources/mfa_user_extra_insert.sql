-- Unknown Export Users CSV columns of the users just accepted (csv_extra: user_id, column, value).
INSERT INTO mfa_user_extra (user_id, "column", value)
SELECT e.user_id, e."column", e.value
FROM csv_extra AS e
WHERE e.user_id IN (SELECT user_id FROM mfa_users);
