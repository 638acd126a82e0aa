-- Stage 1b: match every MFA Server user to an Entra user (docs/simulate.md).
-- The steps run in the configured order and the first step that finds *any* Entra user decides:
-- one hit = matched, several = ambiguous (no fall-through to later steps). Users whose deciding step
-- found exactly one Entra user are then counted per Entra user (`sharers`); more than one makes all of
-- them ambiguous. Entra ids are unique (the loader refuses duplicates), so a key's hit count is a
-- plain count.
-- Output: sim_match(user_id, step, hits, eid, sharers) for users with a hit; eid is the matched Entra
-- user's rowid in entra_users (meaningful when hits = 1).
CREATE OR REPLACE TEMP TABLE sim_match AS
WITH by_upn AS (
  SELECT upn_key AS k, count(*) AS n, any_value(eid) AS eid
  FROM sim_entra_keys WHERE upn_key IS NOT NULL AND (SELECT upn_pos FROM sim_settings) IS NOT NULL GROUP BY 1
),
by_sid AS (
  SELECT sid_key AS k, count(*) AS n, any_value(eid) AS eid
  FROM sim_entra_keys WHERE sid_key IS NOT NULL AND (SELECT sid_pos FROM sim_settings) IS NOT NULL GROUP BY 1
),
by_attr AS (
  SELECT attr_key AS k, count(*) AS n, any_value(eid) AS eid
  FROM sim_entra_keys WHERE attr_key IS NOT NULL AND (SELECT attr_pos FROM sim_settings) IS NOT NULL GROUP BY 1
),
hits AS (
  SELECT m.user_id,
    -- the configured steps in order, as (name, hit) pairs; the first with a hit decides
    CASE s.step1 WHEN 'upn' THEN u.n WHEN 'sid' THEN d.n WHEN 'attribute' THEN a.n END AS n1,
    CASE s.step2 WHEN 'upn' THEN u.n WHEN 'sid' THEN d.n WHEN 'attribute' THEN a.n END AS n2,
    CASE s.step3 WHEN 'upn' THEN u.n WHEN 'sid' THEN d.n WHEN 'attribute' THEN a.n END AS n3,
    s.step1, s.step2, s.step3,
    u.n AS un, u.eid AS uid, d.n AS dn, d.eid AS did, a.n AS an, a.eid AS aid
  FROM sim_mfa m
  JOIN sim_settings s ON true
  LEFT JOIN by_upn u ON u.k = m.upn_key
  LEFT JOIN by_sid d ON d.k = m.sid_key
  LEFT JOIN by_attr a ON a.k = m.attr_key
  WHERE u.n IS NOT NULL OR d.n IS NOT NULL OR a.n IS NOT NULL
),
decided AS (
  SELECT user_id,
    CASE WHEN n1 IS NOT NULL THEN step1 WHEN n2 IS NOT NULL THEN step2 WHEN n3 IS NOT NULL THEN step3 END
      AS step,
    * EXCLUDE (user_id)
  FROM hits
),
first AS (
  SELECT user_id, step,
    CASE step WHEN 'upn' THEN un WHEN 'sid' THEN dn ELSE an END AS hits,
    CASE step WHEN 'upn' THEN uid WHEN 'sid' THEN did ELSE aid END AS eid
  FROM decided
  WHERE step IS NOT NULL
),
shared AS (
  SELECT eid, count(*) AS n FROM first WHERE hits = 1 GROUP BY eid HAVING count(*) > 1
)
SELECT f.*, CASE WHEN f.hits = 1 THEN coalesce(sh.n, 1) END AS sharers
FROM first f
LEFT JOIN shared sh ON sh.eid = f.eid AND f.hits = 1;
