-- Restricted runs (simulate_users) only: replace sim_mfa (match.sql) with the subject users and the
-- users that share a key with an Entra user the subject users hit, a superset of everyone whose match
-- can affect theirs (the "two MFA users on one Entra user" rule). Run by analysis/simulate/runner.py
-- between the key tables and the match proper.
CREATE OR REPLACE TEMP TABLE sim_mfa AS
WITH subj AS (
  SELECT upn_key, sid_key, attr_key FROM sim_mfa_all WHERE user_id IN (SELECT user_id FROM sim_subject)
),
hit AS (
  SELECT e.upn_key, e.sid_key, e.attr_key FROM sim_entra_keys e
  WHERE e.upn_key IN (SELECT upn_key FROM subj)
     OR e.sid_key IN (SELECT sid_key FROM subj)
     OR e.attr_key IN (SELECT attr_key FROM subj)
)
SELECT m.user_id, m.upn_key, m.sid_key, m.attr_key FROM sim_mfa_all m
WHERE m.user_id IN (SELECT user_id FROM sim_subject)
   OR m.upn_key IN (SELECT upn_key FROM hit)
   OR m.sid_key IN (SELECT sid_key FROM hit)
   OR m.attr_key IN (SELECT attr_key FROM hit);
