SELECT DISTINCT p.user_id
FROM exec_plan_source p
JOIN exec_wanted_users w ON lower(p.username) = lower(w.name) OR lower(p.upn) = lower(w.name)
WHERE p.item = 'user'
