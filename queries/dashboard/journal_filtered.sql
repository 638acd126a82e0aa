-- The journal, filtered ($… NULL = no filter), newest first; $limit caps the rows (NULL: all, for
-- exports); `total` counts every match.
-- Bodies are stored redacted by the executor; the page redacts again before showing any.
SELECT
  j.seq, j.at, j.run_id, j.batch_id, b.name AS batch, j.kind, j.step, j.method, j.url, j.status,
  j.outcome, j.user_id, u.username, j.entra_id, j.idem_key, j.actor, j.body, j.response,
  count(*) OVER () AS total
FROM journal AS j
LEFT JOIN batches AS b ON b.batch_id = j.batch_id
LEFT JOIN mfa_users AS u ON u.user_id = j.user_id
WHERE ($batch_id IS NULL OR j.batch_id = $batch_id)
  AND ($kind IS NULL OR j.kind = $kind)
  AND ($outcome IS NULL OR j.outcome = $outcome)
  AND ($step IS NULL OR j.step = $step)
  AND ($since IS NULL OR j.at >= $since)
  AND ($text = '' OR u.username ILIKE '%' || $text || '%' OR j.entra_id ILIKE '%' || $text || '%'
       OR j.url ILIKE '%' || $text || '%' OR j.idem_key ILIKE '%' || $text || '%' OR j.actor ILIKE '%' || $text || '%')
ORDER BY j.seq DESC
LIMIT $limit
