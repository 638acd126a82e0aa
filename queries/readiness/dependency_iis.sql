-- id: dependency_iis
-- title: IIS applications protected by the MFA Server plug-in
-- severity: blocker
-- why: The IIS authentication plug-in (forms-based and integrated Windows) has no cloud equivalent. These
--   applications lose MFA when MFA Server is switched off.
-- remediation: Publish the applications through Microsoft Entra application proxy, or through Web Application
--   Proxy with AD FS, with Entra MFA in front, before decommissioning MFA Server.
SELECT
  'service' AS subject_type,
  lower(a.service) || '/' || coalesce(a.name, '') AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('{}{}: {}', coalesce(nullif(a.name, ''), a.service),
         CASE WHEN nullif(trim(a.detail), '') IS NULL THEN '' ELSE format(' ({})', trim(a.detail)) END,
         'no cloud equivalent: publish through Entra application proxy or WAP with AD FS') AS detail
FROM mfa_auth_services a
WHERE lower(a.service) = 'iis' AND a.enabled
ORDER BY subject_id;
