-- MFA Server users whose matched Entra user is a transitive member of the group (by id or name).
SELECT DISTINCT p.user_id
FROM exec_plan_source p
JOIN entra_group_transitive_users t ON t.user_id = p.entra_id
JOIN entra_groups g ON g.id = t.group_id
WHERE p.item = 'user' AND ? IN (g.id, g.display_name)
