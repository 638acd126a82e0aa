-- The campaign's progress since a baseline (analysis/campaign/progress.py, docs/progress.md): each
-- user's state at every observation from the baseline on, read from the history
-- (queries/campaign/history.sql) as their last row at or before it (the run of rows that covers it), and the priority tier those
-- methods give under the plan `__plan__` and the retirement settings bound on the connection
-- (analysis.readiness.afterdate.bind): the same rule as users_after_date, applied to each observation.

-- name: users
-- The counted MFA Server users matched to one Entra account, their history key (NULL: never observed)
-- and what the plan adds to their methods.
CREATE OR REPLACE TEMP TABLE cp_users AS
SELECT u.user_id, u.username, u.upn, k.key,
       coalesce(w.bits, 0) AS plan_bits,
       coalesce(w.unknown_outcome, false) AS unknown_outcome,
       w.default_set
FROM __plan__ u
LEFT JOIN progress_ids k ON k.entra_id = u.entra_id
LEFT JOIN plan_writes('__plan__') w USING (user_id)
WHERE u.item = 'user' AND u.entra_id IS NOT NULL AND u.action NOT IN ('user_disabled', 'unmatched', 'ambiguous');

-- name: waves_from_batches
-- The waves: every batch and its users.
CREATE OR REPLACE TEMP TABLE cp_waves AS
SELECT b.batch_id, b.name, bu.user_id FROM batches b JOIN batch_users bu USING (batch_id);

-- name: waves_none
CREATE OR REPLACE TEMP TABLE cp_waves (batch_id INTEGER, name VARCHAR, user_id BIGINT);

-- name: states
-- Each user's states as runs, from one stored change to the next (`until`: infinity while current),
-- keeping the runs that reach the baseline ($baseline) or later, with the tier each run's methods give.
-- A user without a run covering an observation is not known then. (Runs, not one row per user and
-- observation: a campaign changes few users between snapshots.)
CREATE OR REPLACE TEMP TABLE cp_points AS
SELECT DISTINCT observed_at FROM progress_points WHERE observed_at >= $baseline;
CREATE OR REPLACE TEMP TABLE cp_states AS
WITH settings AS (
  SELECT coalesce(getvariable('mfa_retirement').phones_stop, true) AS phones_stop,
         policy_allowed_bits() AS allowed
),
runs AS (
  SELECT key, observed_at AS since,
         coalesce(lead(observed_at) OVER (PARTITION BY key ORDER BY observed_at), 'infinity'::TIMESTAMPTZ) AS until,
         bits, default_phone
  FROM progress_states
)
SELECT u.user_id, r.since, r.until, r.bits,
       retirement_tier((r.bits | u.plan_bits) & st.allowed, st.phones_stop,
                       CASE WHEN u.default_set IS NOT NULL THEN phone_default(u.default_set)
                            ELSE coalesce(r.default_phone, false) END,
                       r.bits IS NOT NULL, u.unknown_outcome) AS tier
FROM cp_users u
JOIN runs r ON r.key = u.key
CROSS JOIN settings st
WHERE r.until > $baseline;

-- name: compare
-- Each user at the baseline and at the latest observation (no run covering it: not known).
CREATE OR REPLACE TEMP TABLE cp_compare AS
WITH ends AS (SELECT min(observed_at) AS first, max(observed_at) AS last FROM cp_points),
base AS (SELECT s.* FROM cp_states s, ends WHERE s.since <= ends.first AND s.until > ends.first),
now AS (SELECT s.* FROM cp_states s, ends WHERE s.since <= ends.last AND s.until > ends.last)
SELECT u.user_id, b.bits AS bits_base, b.tier AS tier_base, n.bits AS bits_now, n.tier AS tier_now,
       n.since AS seen_at,
       b.bits IS NOT NULL AND n.bits IS NOT NULL AS observed,
       n.bits & ~b.bits AS new_bits
FROM cp_users u
LEFT JOIN base b USING (user_id)
LEFT JOIN now n USING (user_id);

-- name: by_tier
-- Per tier at the baseline: users, how many registered each app-based or phishing-resistant method
-- since (8 Authenticator, 128 passkey, 16 software OATH; any of them), and their tier now.
SELECT coalesce(tier_base, 'unknown') AS tier,
       count(*) AS users,
       count(*) FILTER (observed) AS observed,
       count(*) FILTER (new_bits & 8 <> 0) AS authenticator,
       count(*) FILTER (new_bits & 128 <> 0) AS passkey,
       count(*) FILTER (new_bits & 16 <> 0) AS software_oath,
       count(*) FILTER (new_bits & 152 <> 0) AS registered,
       count(*) FILTER (tier_now = 'P1') AS now_p1,
       count(*) FILTER (tier_now = 'P2') AS now_p2,
       count(*) FILTER (tier_now = 'P3') AS now_p3
FROM cp_compare
GROUP BY ALL
ORDER BY tier;

-- name: by_wave
-- The same per wave (batch); a user in several batches counts in each.
SELECT w.batch_id, w.name AS wave,
       count(*) AS users,
       count(*) FILTER (c.observed) AS observed,
       count(*) FILTER (c.new_bits & 8 <> 0) AS authenticator,
       count(*) FILTER (c.new_bits & 128 <> 0) AS passkey,
       count(*) FILTER (c.new_bits & 16 <> 0) AS software_oath,
       count(*) FILTER (c.new_bits & 152 <> 0) AS registered,
       count(*) FILTER (c.tier_base = 'P1') AS base_p1,
       count(*) FILTER (c.tier_now = 'P1') AS now_p1
FROM cp_waves w
JOIN cp_compare c USING (user_id)
GROUP BY ALL
ORDER BY w.batch_id;

-- name: timeline
-- Per observation from the baseline on: users per tier then (unknown: no known state then), and how many
-- had registered an app-based or phishing-resistant method since the baseline.
SELECT p.observed_at,
       count(*) FILTER (s.tier = 'P1') AS p1,
       count(*) FILTER (s.tier = 'P2') AS p2,
       count(*) FILTER (s.tier = 'P3') AS p3,
       (SELECT count(*) FROM cp_users) - count(s.tier) AS unknown,
       count(*) FILTER (s.bits & ~c.bits_base & 152 <> 0) AS registered
FROM cp_points p
LEFT JOIN cp_states s ON s.since <= p.observed_at AND s.until > p.observed_at
LEFT JOIN cp_compare c ON c.user_id = s.user_id
GROUP BY ALL
ORDER BY p.observed_at;

-- name: still_p1
-- Who is P1 at the latest observation: nothing usable after the retirement date.
SELECT c.user_id, u.username, u.upn, c.tier_base AS tier_at_baseline,
       coalesce(method_names(c.bits_now), '') AS methods_now, c.seen_at AS state_since,
       (SELECT string_agg(w.name, '; ' ORDER BY w.batch_id) FROM cp_waves w WHERE w.user_id = c.user_id) AS waves
FROM cp_compare c
JOIN cp_users u USING (user_id)
WHERE c.tier_now = 'P1'
ORDER BY c.user_id;

-- name: cleanup
DROP TABLE IF EXISTS temp.main.cp_users;
DROP TABLE IF EXISTS temp.main.cp_waves;
DROP TABLE IF EXISTS temp.main.cp_points;
DROP TABLE IF EXISTS temp.main.cp_states;
DROP TABLE IF EXISTS temp.main.cp_compare;
