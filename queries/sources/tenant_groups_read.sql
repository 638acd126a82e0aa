-- Fast path for tenant/groups.jsonl (see tenant_users_read.sql; twin: tenant_groups_lines.sql).
CREATE OR REPLACE TEMP TABLE entra_groups_stage AS
SELECT row_number() OVER () AS line, TRUE AS is_object, CAST(NULL AS VARCHAR) AS raw_text, *
FROM read_json($path, format = 'newline_delimited', maximum_object_size = 268435456, columns = {
  'id': 'VARCHAR', 'displayName': 'VARCHAR', 'groupTypes': 'JSON', 'membershipRule': 'VARCHAR',
  'securityEnabled': 'VARCHAR', 'members': 'JSON'});
