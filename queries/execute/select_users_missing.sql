-- Lines of a users file that name no MFA Server user (by username or UPN, case-insensitive).
SELECT w.line, w.name
FROM exec_wanted_users w
WHERE NOT EXISTS (
  SELECT 1 FROM exec_plan_source p
  WHERE p.item = 'user' AND (lower(p.username) = lower(w.name) OR lower(p.upn) = lower(w.name))
)
ORDER BY w.line
