-- id: rollout_group_contacts
-- title: Staged Rollout groups that contain contacts
-- severity: blocker
-- why: A group with contact objects cannot be added to a Staged Rollout policy.
-- remediation: Remove the contacts from the group, or use a separate group with users only.
SELECT
  'group' AS subject_type,
  r.group_id AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('group "{}" in rollout policy "{}" has {} contact(s)', any_value(r.group_name),
         string_agg(DISTINCT r.policy_name, '", "'), count(DISTINCT m.member_id)) AS detail
FROM rd_rollout_groups r
JOIN entra_group_members m ON m.group_id = r.group_id AND m.member_type = 'contact'
GROUP BY r.group_id
ORDER BY r.group_id;
