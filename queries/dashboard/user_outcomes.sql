-- Users by plan outcome (the plan's one `user` row per MFA Server user).
SELECT action, count(*) AS users FROM {plan} WHERE item = 'user' GROUP BY action ORDER BY users DESC
