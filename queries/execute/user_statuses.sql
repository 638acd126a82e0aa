-- Final statuses of users a run finished, given as one list per column: one statement for many users.
UPDATE batch_users AS u
SET status = r.status, detail = r.detail, replan = coalesce(r.replan, u.replan), updated_at = now()
FROM (
  SELECT unnest(?::VARCHAR[]) AS status, unnest(?::VARCHAR[]) AS detail, unnest(?::VARCHAR[]) AS replan,
         unnest(?::INTEGER[]) AS batch_id, unnest(?::BIGINT[]) AS user_id
) AS r
WHERE u.batch_id = r.batch_id AND u.user_id = r.user_id
