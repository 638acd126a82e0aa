-- Fast path for tenant/domains.jsonl (see tenant_users_read.sql; twin: tenant_domains_lines.sql).
CREATE OR REPLACE TEMP TABLE entra_domains_stage AS
SELECT row_number() OVER () AS line, TRUE AS is_object, CAST(NULL AS VARCHAR) AS raw_text, *
FROM read_json($path, format = 'newline_delimited', columns = {
  'id': 'VARCHAR', 'authenticationType': 'VARCHAR', 'isVerified': 'VARCHAR',
  'federationConfiguration': 'JSON'});
