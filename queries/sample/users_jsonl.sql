-- tenant/users.jsonl: one Graph user object per line with its authenticationMethods (Graph's own
-- shape per method type) and signInPreferences. Reads the generator's registered arrow tables
-- sample_entra_users (ord = line order) and sample_methods (ord = order within the user).
COPY (
  WITH shaped AS (
    SELECT user_id, ord,
      CASE odata_type
        WHEN '#microsoft.graph.passwordAuthenticationMethod' THEN
          json_object('@odata.type', odata_type, 'id', id, 'password', NULL, 'createdDateTime', createdDateTime)
        WHEN '#microsoft.graph.phoneAuthenticationMethod' THEN
          json_object('@odata.type', odata_type, 'id', id, 'phoneNumber', phoneNumber, 'phoneType', phoneType,
                      'smsSignInState', smsSignInState)
        WHEN '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod' THEN
          json_object('@odata.type', odata_type, 'id', id, 'displayName', displayName, 'deviceTag', deviceTag,
                      'phoneAppVersion', phoneAppVersion, 'createdDateTime', createdDateTime)
        WHEN '#microsoft.graph.softwareOathAuthenticationMethod' THEN
          json_object('@odata.type', odata_type, 'id', id, 'secretKey', NULL)
        WHEN '#microsoft.graph.hardwareOathAuthenticationMethod' THEN
          json_object('@odata.type', odata_type, 'id', id, 'displayName', displayName,
                      'createdDateTime', createdDateTime,
                      'device', json_object('serialNumber', serialNumber, 'manufacturer', manufacturer,
                                            'model', model, 'timeIntervalInSeconds', 30, 'status', 'activated'))
        WHEN '#microsoft.graph.fido2AuthenticationMethod' THEN
          json_object('@odata.type', odata_type, 'id', id, 'displayName', displayName, 'aaGuid', aaGuid,
                      'model', model, 'attestationLevel', 'attested', 'createdDateTime', createdDateTime)
        WHEN '#microsoft.graph.emailAuthenticationMethod' THEN
          json_object('@odata.type', odata_type, 'id', id, 'emailAddress', emailAddress)
        WHEN '#microsoft.graph.windowsHelloForBusinessAuthenticationMethod' THEN
          json_object('@odata.type', odata_type, 'id', id, 'displayName', displayName,
                      'keyStrength', keyStrength, 'createdDateTime', createdDateTime)
        ELSE json_object('@odata.type', odata_type, 'id', id)
      END AS method
    FROM sample_methods
  ), grouped AS (
    SELECT user_id, list(method ORDER BY ord) AS methods FROM shaped GROUP BY user_id
  )
  SELECT u.id, u.userPrincipalName, u.displayName, u.accountEnabled, u.userType, u.mail,
         u.onPremisesSyncEnabled, u.onPremisesSecurityIdentifier, u.onPremisesSamAccountName,
         u.onPremisesImmutableId, u.employeeId,
         coalesce(g.methods, []::JSON[]) AS authenticationMethods,
         {'userPreferredMethodForSecondaryAuthentication': u.preferred,
          'isSystemPreferredAuthenticationMethodEnabled': u.systemPreferred} AS signInPreferences
  FROM sample_entra_users u LEFT JOIN grouped g ON g.user_id = u.id
  ORDER BY u.ord
) TO $path (FORMAT json);
