-- id: dependency_web_service_sdk
-- title: Applications that call the MFA Server Web Service SDK
-- severity: warning
-- why: Custom applications call PfWsSdk.asmx to trigger MFA or manage users. Nothing in Entra answers those
--   calls.
-- remediation: Find the callers (IIS logs of MultiFactorAuthWebServiceSdk) and move them to Entra sign-in (OIDC/SAML)
--   or Microsoft Graph; remove the SDK from inetpub after the cut-over.
SELECT
  'service' AS subject_type,
  lower(a.service) || '/' || coalesce(a.name, '') AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('{}{}: {}', coalesce(nullif(a.name, ''), a.service),
         CASE WHEN nullif(trim(a.detail), '') IS NULL THEN '' ELSE format(' ({})', trim(a.detail)) END,
         'move callers to Entra sign-in or Microsoft Graph') AS detail
FROM mfa_auth_services a
WHERE lower(a.service) = 'web_service_sdk' AND a.enabled
ORDER BY subject_id;
