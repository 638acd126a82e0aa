-- id: rollout_too_many_groups
-- title: Staged Rollout policies with more than 10 groups
-- severity: blocker
-- why: Staged Rollout supports at most 10 groups per feature; groups past the tenth cannot be added.
-- remediation: Merge groups (at most 50,000 users each), or finish the migration of some groups and cut
--   over federation instead of growing the rollout.
SELECT
  'policy' AS subject_type,
  r.policy_id AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('rollout policy "{}" targets {} groups (limit 10)', any_value(r.policy_name), count(DISTINCT r.group_id)) AS detail
FROM rd_rollout_groups r
GROUP BY r.policy_id
HAVING count(DISTINCT r.group_id) > 10
ORDER BY r.policy_id;
