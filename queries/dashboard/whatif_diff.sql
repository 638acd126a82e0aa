-- The outcomes a what-if changes (plan_diff, written by analysis.simulate.compare), first $limit rows
-- (NULL: all, for the download).
SELECT user_id, username, upn, item, ref, before_action, before_value, after_action, after_value,
       before_reason, after_reason
FROM plan_diff
ORDER BY username, item, ref
LIMIT $limit
