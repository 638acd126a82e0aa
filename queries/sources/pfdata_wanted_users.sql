-- Scratch list of usernames for pfdata_oath_secrets.sql (SQLite TEMP table, gone with the connection).
CREATE TEMP TABLE wanted_users (username TEXT PRIMARY KEY)
