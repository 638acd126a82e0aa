-- Final statuses of users a run finished (Arrow table exec_rows_in).
UPDATE batch_users AS u
SET status = r.status, detail = r.detail, replan = coalesce(r.replan, u.replan), updated_at = now()
FROM exec_rows_in AS r
WHERE u.batch_id = r.batch_id AND u.user_id = r.user_id
