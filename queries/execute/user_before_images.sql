-- Before-images read just now (Arrow table exec_rows_in); a user's first one is kept.
UPDATE batch_users AS u SET before_image = r.before_image, updated_at = now()
FROM exec_rows_in AS r
WHERE u.batch_id = r.batch_id AND u.user_id = r.user_id AND u.before_image IS NULL
