-- The readiness run's part of the state after the retirement date (analysis/readiness/afterdate.py):
-- the table macro users_after_plan over the run's plan, bound to the run's retirement settings, read
-- once into a temp table that
-- the retirement_* checks and the report's tiers share.

-- name: prepare
-- $plan_table: the plan the run checks (the canonical `plan`, or a what-if plan). Without the methods in
-- words: no check reads them, and spelling them out for every user of a million costs ~0.6 s; the
-- tiers below name them per distinct bit set instead.
CREATE OR REPLACE TEMP TABLE rd_after_date AS
SELECT * EXCLUDE (methods_now, methods_after_plan, methods_after_date) FROM users_after_plan($plan_table);

-- name: tiers
-- Each counted user with an Entra account: their tier (NULL: not known) and what they will have (as
-- bits; analysis.readiness.checks names them through method_names below).
SELECT user_id, username, upn, tier, usable_bits, after_date_bits, default_after
FROM rd_after_date
WHERE counted AND matched
ORDER BY user_id;

-- name: method_names
-- The methods of each bit set in $bits, in words (the macro every report uses).
SELECT bits, method_names(bits) AS names FROM (SELECT unnest($bits::INTEGER[]) AS bits);

-- name: cleanup
DROP TABLE IF EXISTS temp.main.rd_after_date;
