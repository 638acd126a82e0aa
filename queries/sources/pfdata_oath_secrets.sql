-- Raw hardware-token secrets of the wanted users (SQLite side; temp.wanted_users is filled by the caller).
-- Used only at the moment a token is written to Entra; the result is never logged or stored.
SELECT u.username, u.oath_secret
FROM pf_users AS u
JOIN temp.wanted_users AS w ON w.username = u.username
WHERE u.oath_secret IS NOT NULL AND trim(u.oath_secret) <> ''
