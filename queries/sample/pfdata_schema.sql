-- The PhoneFactor.pfdata layout the sample writes (SQLite; DESIGN 3.1a, which the shipped mapping in
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
