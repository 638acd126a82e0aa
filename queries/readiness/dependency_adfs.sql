-- id: dependency_adfs
-- title: AD FS relying parties that use the MFA Server adapter
-- severity: warning
-- why: The MFA Server adapter in AD FS protects relying parties other than Entra ID. Those need AD FS on
--   Windows Server 2016 or later with the Entra MFA adapter, or to be federated to Entra directly.
-- remediation: Upgrade AD FS to Windows Server 2016+ (2019 FBL 4 can choose the MFA provider per group:
--   AzureMfaAuthentication vs AzureMfaServerAuthentication), or federate those apps to Entra; afterwards
--   remove the AzureMfaServerAuthentication rules and the adapter.
SELECT
  'service' AS subject_type,
  lower(a.service) || '/' || coalesce(a.name, '') AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('{}{}: {}', coalesce(nullif(a.name, ''), a.service),
         CASE WHEN nullif(trim(a.detail), '') IS NULL THEN '' ELSE format(' ({})', trim(a.detail)) END,
         CASE
           WHEN regexp_matches(coalesce(a.detail, ''), '20(16|19|22|25)|\b[45]\.0\b')
             THEN 'switch the relying parties to the Entra MFA adapter (AD FS version is new enough)'
           WHEN regexp_matches(coalesce(a.detail, ''), '20(08|12)|\b[23]\.[01]\b')
             THEN 'AD FS is older than Windows Server 2016: upgrade it or federate the apps to Entra'
           ELSE 'AD FS version unknown: Windows Server 2016 or later is required for the Entra MFA adapter'
         END) AS detail
FROM mfa_auth_services a
WHERE lower(a.service) = 'adfs' AND a.enabled
ORDER BY subject_id;
