-- The datafile mapping (docs/workspace.md): SQLite TEMP views that turn PhoneFactor.pfdata's own tables into
-- the canonical columns the loader reads. Every column is cast to TEXT; the loader validates and types
-- the values itself and sends bad rows to `rejects`. To support a different real layout, edit only this
-- file: keep the five view names and their column names, change what they select from. The
-- "requires" lines below name what this mapping needs from the datafile, so a file that lacks them
-- gets one clear error listing everything missing (update them together with the views).
-- requires users: user_id, username, object_sid, first_name, last_name, email, user_group, enabled,
--   country_code, phone, extension, backup_country_code, backup_phone, backup_extension, method,
--   phone_mode, text_mode, text_direction, app_mode, pin_hash, language, oath_serial, oath_secret,
--   oath_kind, oath_time_step, created_at, modified_at, last_migrated_at, migrated_selection
-- requires mobile_app_devices: device_id, user_id, device_name, device_token, oath_secret,
--   notification_type, app_version, account_name, activated_at
-- requires settings: section, key, value
-- requires auth_services: service, name, detail, enabled
-- requires meta: key, value

CREATE TEMP VIEW pf_users AS
SELECT
  CAST(rowid AS TEXT)               AS source_line,
  CAST(user_id AS TEXT)             AS user_id,
  CAST(username AS TEXT)            AS username,
  CAST(object_sid AS TEXT)          AS object_sid,
  CAST(first_name AS TEXT)          AS first_name,
  CAST(last_name AS TEXT)           AS last_name,
  CAST(email AS TEXT)               AS email,
  CAST(user_group AS TEXT)          AS user_group,
  CAST(enabled AS TEXT)             AS enabled,
  CAST(country_code AS TEXT)        AS country_code,
  CAST(phone AS TEXT)               AS phone,
  CAST(extension AS TEXT)           AS extension,
  CAST(backup_country_code AS TEXT) AS backup_country_code,
  CAST(backup_phone AS TEXT)        AS backup_phone,
  CAST(backup_extension AS TEXT)    AS backup_extension,
  CAST(method AS TEXT)              AS method,
  CAST(phone_mode AS TEXT)          AS phone_mode,
  CAST(text_mode AS TEXT)           AS text_mode,
  CAST(text_direction AS TEXT)      AS text_direction,
  CAST(app_mode AS TEXT)            AS app_mode,
  CAST(pin_hash AS TEXT)            AS pin_hash,      -- secret: only "is there one" reaches the workspace
  CAST(language AS TEXT)            AS language,
  CAST(oath_serial AS TEXT)         AS oath_serial,
  CAST(oath_secret AS TEXT)         AS oath_secret,   -- secret: fingerprinted in memory, never stored
  CAST(oath_kind AS TEXT)           AS oath_kind,
  CAST(oath_time_step AS TEXT)      AS oath_time_step,
  CAST(created_at AS TEXT)          AS created_at,
  CAST(modified_at AS TEXT)         AS modified_at,
  CAST(last_migrated_at AS TEXT)    AS last_migrated_at,
  CAST(migrated_selection AS TEXT)  AS migrated_selection
FROM users;

CREATE TEMP VIEW pf_devices AS
SELECT
  CAST(rowid AS TEXT)             AS source_line,
  CAST(device_id AS TEXT)         AS device_id,
  CAST(user_id AS TEXT)           AS user_id,
  CAST(device_name AS TEXT)       AS device_name,
  CAST(device_token AS TEXT)      AS device_token,   -- secret: fingerprinted in memory, never stored
  CAST(oath_secret AS TEXT)       AS oath_secret,    -- secret: fingerprinted in memory, never stored
  CAST(notification_type AS TEXT) AS notification_type,
  CAST(app_version AS TEXT)       AS app_version,
  CAST(account_name AS TEXT)      AS account_name,
  CAST(activated_at AS TEXT)      AS activated_at
FROM mobile_app_devices;

CREATE TEMP VIEW pf_settings AS
SELECT CAST(section AS TEXT) AS section, CAST(key AS TEXT) AS key, CAST(value AS TEXT) AS value
FROM settings;

CREATE TEMP VIEW pf_auth_services AS
SELECT CAST(service AS TEXT) AS service, CAST(name AS TEXT) AS name, CAST(detail AS TEXT) AS detail,
       CAST(enabled AS TEXT) AS enabled
FROM auth_services;

CREATE TEMP VIEW pf_meta AS
SELECT CAST(key AS TEXT) AS key, CAST(value AS TEXT) AS value
FROM meta;
