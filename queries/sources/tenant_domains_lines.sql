-- Careful path for tenant/domains.jsonl (see tenant_users_lines.sql).
CREATE OR REPLACE TEMP VIEW entra_domains_lines AS
SELECT line, json_type(text) = 'OBJECT' AS is_object,
       CASE WHEN json_type(text) <> 'OBJECT' THEN left(text, 500) END AS raw_text,
       unnest(json_transform(CASE WHEN json_type(text) = 'OBJECT' THEN text ELSE '{}' END, '{
         "id": "VARCHAR", "authenticationType": "VARCHAR", "isVerified": "VARCHAR",
         "federationConfiguration": "JSON"}'))
FROM jsonl_lines;
