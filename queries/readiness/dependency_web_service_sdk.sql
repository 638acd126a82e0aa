-- id: dependency_web_service_sdk
-- title: Applications that call the MFA Server Web Service SDK
-- severity: warning
-- why: Custom applications call PfWsSdk.asmx to trigger MFA or manage users. Nothing in Entra answers those
--   calls.
-- remediation: Find the callers (IIS logs of MultiFactorAuthWebServiceSdk) and move them to Entra sign-in (OIDC/SAML)
--   or Microsoft Graph; remove the SDK from inetpub after the cut-over.
SELECT subject_type, subject_id, user_id, username, upn,
       label || ': move callers to Entra sign-in or Microsoft Graph' AS detail
FROM rd_services
WHERE service = 'web_service_sdk'
ORDER BY subject_id;
