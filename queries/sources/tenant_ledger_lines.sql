-- Careful path for tenant/ledger.jsonl (see tenant_users_lines.sql).
CREATE OR REPLACE TEMP VIEW entra_ledger_lines AS
SELECT line, json_type(text) = 'OBJECT' AS is_object,
       CASE WHEN json_type(text) <> 'OBJECT' THEN left(text, 500) END AS raw_text,
       unnest(json_transform(CASE WHEN json_type(text) = 'OBJECT' THEN text ELSE '{}' END, '{
         "userId": "VARCHAR", "entraMethodId": "VARCHAR", "kind": "VARCHAR", "secretSha256": "VARCHAR",
         "deviceTokenSha256": "VARCHAR"}'))
FROM jsonl_lines;
