-- Methods of entra_methods_stage that cannot be used (run only when tenant_methods_insert.sql inserted
-- fewer rows than the stage holds).
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/users.jsonl', line,
       printf('authenticationMethods[%d].%s', i - 1, CASE WHEN is_object AND NOT present(method_id) THEN 'id'
                                                      ELSE '@odata.type' END),
       CASE WHEN NOT is_object THEN 'authentication method is not an object; the method is left out'
            WHEN NOT present(method_id) THEN 'authentication method has no id; the method is left out'
            ELSE 'authentication method has no @odata.type; the method is left out' END,
       left(detail::VARCHAR, 500)
FROM entra_methods_stage
WHERE NOT is_object OR NOT present(method_id) OR NOT present(odata_type);
