-- Users page search: MFA Server users whose username, name, email or SID contains the text, or whose
-- matched Entra UPN does ({plan} is the dashboard's plan table). At most $limit rows.
SELECT
  u.user_id,
  u.username,
  trim(concat_ws(' ', u.first_name, u.last_name)) AS name,
  p.upn,
  u.object_sid AS sid,
  p.action AS outcome
FROM mfa_users AS u
LEFT JOIN {plan} AS p ON p.user_id = u.user_id AND p.item = 'user'
WHERE $text = ''
   OR u.username ILIKE '%' || $text || '%'
   OR concat_ws(' ', u.first_name, u.last_name) ILIKE '%' || $text || '%'
   OR u.email ILIKE '%' || $text || '%'
   OR u.object_sid ILIKE '%' || $text || '%'
   OR p.upn ILIKE '%' || $text || '%'
ORDER BY u.username
LIMIT $limit
