-- id: dependency_adfs
-- title: AD FS relying parties that use the MFA Server adapter
-- severity: warning
-- why: The MFA Server adapter in AD FS protects relying parties other than Entra ID. Those need AD FS on
--   Windows Server 2016 or later with the Entra MFA adapter, or to be federated to Entra directly.
-- remediation: Upgrade AD FS to Windows Server 2016+ (2019 FBL 4 can choose the MFA provider per group:
--   AzureMfaAuthentication vs AzureMfaServerAuthentication), or federate those apps to Entra; afterwards
--   remove the AzureMfaServerAuthentication rules and the adapter.
SELECT subject_type, subject_id, user_id, username, upn,
       label || ': ' ||
       CASE
         WHEN regexp_matches(service_detail, '20(16|19|22|25)|\b[45]\.0\b')
           THEN 'switch the relying parties to the Entra MFA adapter (AD FS version is new enough)'
         WHEN regexp_matches(service_detail, '20(08|12)|\b[23]\.[01]\b')
           THEN 'AD FS is older than Windows Server 2016: upgrade it or federate the apps to Entra'
         ELSE 'AD FS version unknown: Windows Server 2016 or later is required for the Entra MFA adapter'
       END AS detail
FROM rd_services
WHERE service = 'adfs'
ORDER BY subject_id;
