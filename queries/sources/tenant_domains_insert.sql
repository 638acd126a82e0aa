-- Domains with their federation configuration. Graph lists a domain's federationConfiguration as an
-- array (empty for a managed domain); a single object, or Graph's {"value": [...]} envelope, is read too.
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT 'tenant/domains.jsonl', line,
       CASE WHEN is_object THEN 'id' END,
       CASE WHEN NOT is_object THEN 'line is JSON but not an object; the line is left out'
            ELSE 'domain object has no id; the domain is left out' END,
       CASE WHEN NOT is_object THEN raw_text
            ELSE to_json(struct_pack(authenticationType := authenticationType))::VARCHAR END
FROM entra_domains_stage
WHERE NOT is_object OR NOT present(id);

INSERT INTO entra_domains (id, authentication_type, is_verified, federated_idp_mfa_behavior, federation)
SELECT id, authenticationType, TRY_CAST(isVerified AS BOOLEAN),
       coalesce(json_extract_string(federationConfiguration, '$[0].federatedIdpMfaBehavior'),
                json_extract_string(federationConfiguration, '$.value[0].federatedIdpMfaBehavior'),
                json_extract_string(federationConfiguration, '$.federatedIdpMfaBehavior')),
       federationConfiguration
FROM entra_domains_stage
WHERE is_object AND present(id);
