-- Federation per domain: the cut-over flag and the federation settings (no signing certificates shown).
SELECT
  id AS domain,
  authentication_type,
  is_verified,
  federated_idp_mfa_behavior,
  json_extract_string(federation, '$[0].issuerUri') AS issuer,
  json_extract_string(federation, '$[0].passiveSignInUri') AS sign_in_uri,
  json_extract_string(federation, '$[0].preferredAuthenticationProtocol') AS protocol
FROM entra_domains
ORDER BY authentication_type = 'Managed', id
