-- When the newest write left whose outcome is still unknown (an intent with no response or resolution
-- after it, or an 'unknown' response): a resumed run lets such requests settle before re-reading.
SELECT max(i."at")
FROM journal i
WHERE i.batch_id = ? AND i.kind = 'intent' AND starts_with(i.idem_key, ?)
  AND NOT EXISTS (
    SELECT 1 FROM journal r
    WHERE r.idem_key = i.idem_key AND r.seq > i.seq
      AND (r.kind = 'resolved' OR (r.kind = 'response' AND r.outcome <> 'unknown')))
