-- Fast path for tenant/ledger.jsonl (see tenant_users_read.sql; twin: tenant_ledger_lines.sql).
CREATE OR REPLACE TEMP TABLE entra_ledger_stage AS
SELECT row_number() OVER () AS line, TRUE AS is_object, CAST(NULL AS VARCHAR) AS raw_text, *
FROM read_json($path, format = 'newline_delimited', columns = {
  'userId': 'VARCHAR', 'entraMethodId': 'VARCHAR', 'kind': 'VARCHAR', 'secretSha256': 'VARCHAR',
  'deviceTokenSha256': 'VARCHAR'});
