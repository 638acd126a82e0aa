-- Entra groups for the Users grid's group filter, largest first, with their transitive user members.
SELECT eg.id, coalesce(eg.display_name, eg.id) AS name, count(t.user_id) AS members
FROM entra_groups eg
LEFT JOIN entra_group_transitive_users t ON t.group_id = eg.id
GROUP BY eg.id, eg.display_name
ORDER BY members DESC, lower(name)
LIMIT 5000
