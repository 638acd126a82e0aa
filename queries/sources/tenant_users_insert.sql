-- Entra users from entra_users_stage (tenant_users_read.sql or tenant_users_lines.sql), unusable lines to
-- rejects, and their methods staged for tenant_methods_insert.sql. Method objects are kept whole for
-- entra_methods.detail, minus any secret-bearing field a hand-made snapshot might carry.
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/users.jsonl', line,
       CASE WHEN is_object THEN 'id' END,
       CASE WHEN NOT is_object THEN 'line is JSON but not an object; the line is left out'
            ELSE 'user object has no id; the user is left out' END,
       CASE WHEN NOT is_object THEN raw_text
            ELSE to_json(struct_pack(userPrincipalName := userPrincipalName, displayName := displayName,
                                     mail := mail))::VARCHAR END
FROM entra_users_stage
WHERE NOT is_object OR NOT present(id);

INSERT INTO entra_users (
  id, user_principal_name, display_name, account_enabled, user_type, mail, on_premises_sync_enabled,
  on_premises_security_identifier, on_premises_sam_account_name, on_premises_immutable_id, employee_id,
  preferred_method, system_preferred_enabled, methods_error, source_line)
SELECT
  id, userPrincipalName, displayName, TRY_CAST(accountEnabled AS BOOLEAN), userType, mail,
  TRY_CAST(onPremisesSyncEnabled AS BOOLEAN), onPremisesSecurityIdentifier, onPremisesSamAccountName,
  onPremisesImmutableId, employeeId,
  signInPreferences.userPreferredMethodForSecondaryAuthentication,
  TRY_CAST(signInPreferences.isSystemPreferredAuthenticationMethodEnabled AS BOOLEAN),
  CASE
    WHEN present(methodsError) THEN methodsError
    WHEN methods_type <> 'ARRAY' THEN 'authenticationMethods is not a list in the snapshot'
  END,
  line
FROM entra_users_stage
WHERE is_object AND present(id);

-- One row per method; i is its position in the user's list, for the rejects' column name.
CREATE OR REPLACE TEMP TABLE entra_methods_stage AS
SELECT line, user_id, i, json_type(m) = 'OBJECT' AS is_object,
       f.id AS method_id, f."@odata.type" AS odata_type, f.phoneType AS phone_type,
       f.phoneNumber AS phone_number, f.displayName AS display_name,
       CASE WHEN contains(m, 'secretKey') OR contains(m, 'temporaryAccessPass')
            THEN json_merge_patch(m, '{"secretKey": null, "temporaryAccessPass": null}') ELSE m END AS detail
FROM (
  SELECT *, json_transform(m, '{"id": "VARCHAR", "@odata.type": "VARCHAR", "phoneType": "VARCHAR",
                                "phoneNumber": "VARCHAR", "displayName": "VARCHAR"}') AS f
  FROM (
    SELECT line, id AS user_id, unnest(authenticationMethods) AS m,
           generate_subscripts(authenticationMethods, 1) AS i
    FROM entra_users_stage
    WHERE is_object AND present(id) AND methods_type = 'ARRAY'
  )
);
