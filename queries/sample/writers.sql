-- The sample's writers (analysis/sample/writers.py): the PhoneFactor.pfdata layout the product maps
-- (SQLite) and the tenant snapshot's JSONL files (DuckDB).

-- name: pfdata_schema
-- The PhoneFactor.pfdata layout the sample writes (SQLite; docs/workspace.md, which the shipped mapping in
-- queries/sources/pfdata.sql reads).
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE users(
  user_id INTEGER PRIMARY KEY, username TEXT NOT NULL,
  object_sid TEXT, first_name TEXT, last_name TEXT, email TEXT, user_group TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  country_code TEXT, phone TEXT, extension TEXT,
  backup_country_code TEXT, backup_phone TEXT, backup_extension TEXT,
  method TEXT NOT NULL,
  phone_mode TEXT,
  text_mode TEXT,
  text_direction TEXT,
  app_mode TEXT,
  pin_hash TEXT, pin_salt TEXT, language TEXT,
  oath_serial TEXT, oath_secret TEXT,
  oath_kind TEXT,
  oath_time_step INTEGER,
  created_at TEXT, modified_at TEXT,
  last_migrated_at TEXT,
  migrated_selection TEXT
);
CREATE TABLE mobile_app_devices(
  device_id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,
  device_name TEXT, device_token TEXT, oath_secret TEXT,
  notification_type TEXT, app_version TEXT, account_name TEXT, activated_at TEXT
);
CREATE TABLE settings(section TEXT, key TEXT, value TEXT, PRIMARY KEY(section, key));
CREATE TABLE auth_services(service TEXT, name TEXT, detail TEXT, enabled INTEGER);

-- name: pfdata_user
INSERT INTO users (user_id, username, object_sid, first_name, last_name, email, user_group, enabled,
  country_code, phone, extension, backup_country_code, backup_phone, backup_extension, method, phone_mode,
  text_mode, text_direction, app_mode, pin_hash, pin_salt, language, oath_serial, oath_secret, oath_kind,
  oath_time_step, created_at, modified_at, last_migrated_at, migrated_selection)
VALUES ($user_id, $username, $object_sid, $first_name, $last_name, $email, $user_group, $enabled, $country_code, $phone, $extension, $backup_country_code, $backup_phone, $backup_extension, $method, $phone_mode, $text_mode, $text_direction, $app_mode, $pin_hash, $pin_salt, $language, $oath_serial, $oath_secret, $oath_kind, $oath_time_step, $created_at, $modified_at, $last_migrated_at, $migrated_selection);

-- name: pfdata_device
INSERT INTO mobile_app_devices (device_id, user_id, device_name, device_token, oath_secret, notification_type,
  app_version, account_name, activated_at)
VALUES ($device_id, $user_id, $device_name, $device_token, $oath_secret, $notification_type, $app_version, $account_name, $activated_at);

-- name: pfdata_meta
INSERT INTO meta (key, value) VALUES ($key, $value);

-- name: pfdata_setting
INSERT INTO settings (section, key, value) VALUES ($section, $key, $value);

-- name: pfdata_service
INSERT INTO auth_services (service, name, detail, enabled) VALUES ($service, $name, $detail, $enabled);

-- name: users_jsonl
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

-- name: ledger_jsonl
-- tenant/ledger.jsonl: what earlier migrations created (docs/workspace.md), from the registered arrow table
-- sample_ledger (ord = line order).
COPY (
  SELECT userId, entraMethodId, kind, secretSha256, deviceTokenSha256 FROM sample_ledger ORDER BY ord
) TO $path (FORMAT json);
