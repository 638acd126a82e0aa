-- Steps of a batch whose write this tool made: answered ok, or an unknown outcome resolved 'applied'.
SELECT DISTINCT idem_key FROM journal
WHERE batch_id = ? AND starts_with(idem_key, ?) AND outcome IN ('ok', 'applied')
