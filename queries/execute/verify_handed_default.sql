-- Users whose default method the run left to Microsoft's utility (its method did not exist yet).
SELECT DISTINCT user_id FROM journal
WHERE batch_id = ? AND step = 'default' AND outcome = 'handed_off' AND starts_with(idem_key, CAST(batch_id AS VARCHAR) || ':')
