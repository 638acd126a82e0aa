-- Drop readiness's temp tables (they hold a row per user; a long-lived dashboard connection should not
-- keep them).
DROP TABLE IF EXISTS temp.main.rd_settings;
DROP TABLE IF EXISTS temp.main.rd_policy;
DROP TABLE IF EXISTS temp.main.rd_users;
DROP TABLE IF EXISTS temp.main.rd_after;
DROP TABLE IF EXISTS temp.main.rd_phones_entered;
DROP VIEW IF EXISTS temp.main.rd_services;
DROP TABLE IF EXISTS temp.main.rd_rollout_groups;
DROP TABLE IF EXISTS temp.main.rd_progress;
DROP TABLE IF EXISTS temp.main.rd_user_status;
