-- Each user's worst finding as a small integer (2 blocker, 1 warning; users without either are absent),
-- from the frame analysis.readiness.score registers (one row per blocker or warning finding; user_id is
-- NULL for findings about no user). Read by support/score*.sql.
CREATE OR REPLACE TEMP TABLE rd_user_status AS
SELECT user_id, max(status) AS status
FROM rd_user_status_frame
WHERE user_id IS NOT NULL
GROUP BY user_id;
