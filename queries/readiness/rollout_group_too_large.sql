-- id: rollout_group_too_large
-- title: Staged Rollout groups with more than 50,000 members
-- severity: blocker
-- why: Staged Rollout supports groups of at most 50,000 users (500,000 in all).
-- remediation: Split the group into groups of at most 50,000 users (up to 10 in the policy), or cut over
--   federation for the whole domain instead.
SELECT
  'group' AS subject_type,
  r.group_id AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('group "{}" has {} members (limit 50,000)', any_value(r.group_name), count(DISTINCT m.member_id)) AS detail
FROM rd_rollout_groups r
JOIN entra_group_members m ON m.group_id = r.group_id AND m.member_type = 'user'
GROUP BY r.group_id
HAVING count(DISTINCT m.member_id) > 50000
ORDER BY r.group_id;
