-- The usable methods of entra_methods_stage (tenant_users_insert.sql) into entra_methods, with their kind
-- from @odata.type; returns how many. phone_e164 / phone_extension are filled by analysis.phones.
INSERT INTO entra_methods (
  user_id, method_id, odata_type, kind, phone_type, phone_number, phone_e164, phone_extension,
  display_name, detail)
SELECT
  user_id, method_id, odata_type,
  CASE replace(replace(lower(odata_type), '#', ''), 'microsoft.graph.', '')
    WHEN 'phoneauthenticationmethod' THEN 'phone'
    WHEN 'microsoftauthenticatorauthenticationmethod' THEN 'authenticator'
    WHEN 'softwareoathauthenticationmethod' THEN 'software_oath'
    WHEN 'hardwareoathauthenticationmethod' THEN 'hardware_oath'
    WHEN 'fido2authenticationmethod' THEN 'fido2'
    WHEN 'passwordauthenticationmethod' THEN 'password'
    WHEN 'emailauthenticationmethod' THEN 'email'
    WHEN 'temporaryaccesspassauthenticationmethod' THEN 'tap'
    WHEN 'windowshelloforbusinessauthenticationmethod' THEN 'windows_hello'
    ELSE 'other'
  END,
  phone_type, phone_number, NULL, NULL, display_name, detail
FROM entra_methods_stage
WHERE is_object AND present(method_id) AND present(odata_type);
