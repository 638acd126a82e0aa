-- Selected users who have nothing to migrate, by their user action.
SELECT p.action, count(*) AS users
FROM exec_plan_source p JOIN exec_selected_ids s USING (user_id)
WHERE p.item = 'user' AND p.action <> 'migrate'
GROUP BY p.action ORDER BY users DESC, p.action
