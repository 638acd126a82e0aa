-- The readiness run's part of the state after the retirement date (analysis/readiness/afterdate.py):
-- the table macro users_after_plan over the run's plan, bound to the run's retirement settings, read
-- once into a temp table that
-- the retirement_* checks and the report's tiers share.

-- name: prepare
-- $plan_table: the plan the run checks (the canonical `plan`, or a what-if plan).
CREATE OR REPLACE TEMP TABLE rd_after_date AS FROM users_after_plan($plan_table);

-- name: tiers
-- Each counted user with an Entra account: their tier (NULL: not known) and what they will have.
SELECT user_id, username, upn, tier, methods_after_plan, methods_after_date, default_after
FROM rd_after_date
WHERE counted AND matched
ORDER BY user_id;

-- name: cleanup
DROP TABLE IF EXISTS temp.main.rd_after_date;
