-- The plan columns an operator's --where predicate may use (copied into a sandbox database).
SELECT user_id, entra_id, username, upn, item, ref, action, value, reason, writable FROM exec_plan_source
