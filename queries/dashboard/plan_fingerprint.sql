-- A fingerprint of the plan table's rows: the dashboard reuses a plan only if it still matches, so a
-- plan rewritten by the CLI with other settings is recomputed.
SELECT count(*), sum(hash(user_id, item, ref, action, value)) FROM plan
