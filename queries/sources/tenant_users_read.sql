-- Fast path for tenant/users.jsonl: DuckDB parses the whole file in parallel. Scalars are read as VARCHAR
-- so no value of an unexpected type fails the read; a signInPreferences that is not an object or an
-- authenticationMethods that is not a list does, and the careful path then reads the file. `line` is the record's ordinal, which the
-- loader accepts as the line number only when the file has no blank lines (it counts them); otherwise,
-- or when this read fails, it uses tenant_users_lines.sql on line-numbered text instead.
-- The column list must stay the same as in tenant_users_lines.sql (a test compares them).
CREATE OR REPLACE TEMP TABLE entra_users_stage AS
SELECT row_number() OVER () AS line, TRUE AS is_object, CAST(NULL AS VARCHAR) AS raw_text,
       CASE WHEN authenticationMethods IS NOT NULL THEN 'ARRAY' END AS methods_type, *
FROM read_json($path, format = 'newline_delimited', columns = {
  'id': 'VARCHAR', 'userPrincipalName': 'VARCHAR', 'displayName': 'VARCHAR',
  'accountEnabled': 'VARCHAR', 'userType': 'VARCHAR', 'mail': 'VARCHAR',
  'onPremisesSyncEnabled': 'VARCHAR', 'onPremisesSecurityIdentifier': 'VARCHAR',
  'onPremisesSamAccountName': 'VARCHAR', 'onPremisesImmutableId': 'VARCHAR', 'employeeId': 'VARCHAR',
  'signInPreferences': 'STRUCT(userPreferredMethodForSecondaryAuthentication VARCHAR,
                               isSystemPreferredAuthenticationMethodEnabled VARCHAR)',
  'authenticationMethods': 'JSON[]', 'methodsError': 'VARCHAR'});
