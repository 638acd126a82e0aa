-- Before-images read just now, given as one list per column; a user's first one is kept.
UPDATE batch_users AS u SET before_image = r.before_image, updated_at = now()
FROM (
  SELECT unnest(?::VARCHAR[]) AS before_image, unnest(?::INTEGER[]) AS batch_id, unnest(?::BIGINT[]) AS user_id
) AS r
WHERE u.batch_id = r.batch_id AND u.user_id = r.user_id AND u.before_image IS NULL
