-- Entra groups and their direct members from entra_groups_stage, then every user reachable through
-- nested groups (cycle-safe: the recursive UNION stops at pairs it has already seen; contacts and
-- other member kinds are not followed). A member listed without @odata.type is classified by what the
-- snapshot holds: a known group id is a group, a known user id a user, anything else 'other'.
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/groups.jsonl', line,
       CASE WHEN is_object THEN 'id' END,
       CASE WHEN NOT is_object THEN 'line is JSON but not an object; the line is left out'
            ELSE 'group object has no id; the group is left out' END,
       CASE WHEN NOT is_object THEN raw_text
            ELSE to_json(struct_pack(displayName := displayName, membershipRule := membershipRule))::VARCHAR END
FROM entra_groups_stage
WHERE NOT is_object OR NOT present(id);

INSERT INTO entra_groups (id, display_name, group_types, is_dynamic, membership_rule, security_enabled)
SELECT id, displayName, types, coalesce(list_contains(types, 'DynamicMembership'), FALSE), membershipRule,
       TRY_CAST(securityEnabled AS BOOLEAN)
FROM (
  SELECT *, CASE WHEN json_type(groupTypes) = 'ARRAY' THEN json_extract_string(groupTypes, '$[*]') END AS types
  FROM entra_groups_stage
  WHERE is_object AND present(id)
);

-- Members parsed straight into structs (a member that is not an object gives an all-NULL struct);
-- i is the member's position in the list, for the rejects' column name.
CREATE OR REPLACE TEMP TABLE entra_members_stage AS
SELECT line, group_id, m.id AS member_id,
       replace(replace(lower(m."@odata.type"), '#', ''), 'microsoft.graph.', '') AS t, i, to_json(m)::VARCHAR AS raw
FROM (
  SELECT line, id AS group_id, unnest(l) AS m, generate_subscripts(l, 1) AS i
  FROM (SELECT line, id, json_transform(members, '[{"id": "VARCHAR", "@odata.type": "VARCHAR"}]') AS l
        FROM entra_groups_stage
        WHERE is_object AND present(id) AND json_type(members) = 'ARRAY')
);

INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/groups.jsonl', line, 'members', 'members is not a list; the group is loaded without members',
       left(members::VARCHAR, 500)
FROM entra_groups_stage
WHERE is_object AND present(id) AND members IS NOT NULL AND json_type(members) NOT IN ('ARRAY', 'NULL');

INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/groups.jsonl', line, printf('members[%d].id', i - 1),
       'group member has no id; the member is left out', raw
FROM entra_members_stage
WHERE NOT present(member_id);

INSERT INTO entra_group_members (group_id, member_id, member_type)
SELECT group_id, member_id,
       CASE
         WHEN t = 'user' THEN 'user'
         WHEN t = 'group' THEN 'group'
         WHEN t = 'orgcontact' THEN 'contact'
         WHEN t IS NOT NULL AND t <> '' THEN 'other'
         WHEN member_id IN (SELECT id FROM entra_groups) THEN 'group'
         WHEN member_id IN (SELECT id FROM entra_users) THEN 'user'
         ELSE 'other'
       END
FROM entra_members_stage
WHERE present(member_id);

DROP TABLE entra_members_stage;

INSERT INTO entra_group_transitive_users (group_id, user_id)
WITH RECURSIVE reach(root, grp) AS (
  SELECT id, id FROM entra_groups
  UNION
  SELECT r.root, m.member_id
  FROM reach AS r
  JOIN entra_group_members AS m ON m.group_id = r.grp AND m.member_type = 'group'
)
SELECT DISTINCT r.root, m.member_id
FROM reach AS r
JOIN entra_group_members AS m ON m.group_id = r.grp AND m.member_type = 'user';
