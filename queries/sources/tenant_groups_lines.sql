-- Careful path for tenant/groups.jsonl (see tenant_users_lines.sql).
CREATE OR REPLACE TEMP VIEW entra_groups_lines AS
SELECT line, json_type(text) = 'OBJECT' AS is_object,
       CASE WHEN json_type(text) <> 'OBJECT' THEN left(text, 500) END AS raw_text,
       unnest(json_transform(CASE WHEN json_type(text) = 'OBJECT' THEN text ELSE '{}' END, '{
         "id": "VARCHAR", "displayName": "VARCHAR", "groupTypes": "JSON", "membershipRule": "VARCHAR",
         "securityEnabled": "VARCHAR", "members": "JSON"}'))
FROM jsonl_lines;
