-- Careful path for tenant/users.jsonl: one chunk of line-numbered text (jsonl_lines(line, text), already
-- checked to be valid JSON) taken apart like tenant_users_read.sql does. Lines that are JSON but not an
-- object keep their text (shortened) for the rejects table.
CREATE OR REPLACE TEMP VIEW entra_users_lines AS
SELECT line, json_type(text) = 'OBJECT' AS is_object,
       CASE WHEN json_type(text) <> 'OBJECT' THEN left(text, 500) END AS raw_text,
       CASE WHEN json_type(text) = 'OBJECT' THEN nullif(json_type(json_extract(text, '$.authenticationMethods')), 'NULL')
       END AS methods_type,
       unnest(json_transform(CASE WHEN json_type(text) = 'OBJECT' THEN text ELSE '{}' END, '{
         "id": "VARCHAR", "userPrincipalName": "VARCHAR", "displayName": "VARCHAR",
         "accountEnabled": "VARCHAR", "userType": "VARCHAR", "mail": "VARCHAR",
         "onPremisesSyncEnabled": "VARCHAR", "onPremisesSecurityIdentifier": "VARCHAR",
         "onPremisesSamAccountName": "VARCHAR", "onPremisesImmutableId": "VARCHAR", "employeeId": "VARCHAR",
         "signInPreferences": {"userPreferredMethodForSecondaryAuthentication": "VARCHAR",
                               "isSystemPreferredAuthenticationMethodEnabled": "VARCHAR"},
         "authenticationMethods": ["JSON"], "methodsError": "VARCHAR"}'))
FROM jsonl_lines;
