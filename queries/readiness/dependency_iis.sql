-- id: dependency_iis
-- title: IIS applications protected by the MFA Server plug-in
-- severity: blocker
-- why: The IIS authentication plug-in (forms-based and integrated Windows) has no cloud equivalent. These
--   applications lose MFA when MFA Server is switched off.
-- remediation: Publish the applications through Microsoft Entra application proxy, or through Web Application
--   Proxy with AD FS, with Entra MFA in front, before decommissioning MFA Server.
SELECT subject_type, subject_id, user_id, username, upn,
       label || ': no cloud equivalent: publish through Entra application proxy or WAP with AD FS' AS detail
FROM rd_services
WHERE service = 'iis'
ORDER BY subject_id;
