-- Hand-picked batch users: each name (username as stored, or the matched Entra UPN; case-insensitive)
-- with the MFA Server user it names, NULL user_id when it names nobody.
WITH wanted AS (
  SELECT DISTINCT lower(trim(n)) AS name FROM unnest($names) AS t(n) WHERE trim(n) <> ''
),
known AS (
  SELECT u.user_id, lower(u.username) AS username, lower(p.upn) AS upn
  FROM mfa_users AS u
  LEFT JOIN {plan} AS p ON p.user_id = u.user_id AND p.item = 'user'
)
SELECT w.name, k.user_id
FROM wanted AS w
LEFT JOIN known AS k ON w.name = k.username OR w.name = k.upn
ORDER BY w.name
