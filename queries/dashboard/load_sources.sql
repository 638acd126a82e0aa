-- The files a load read: which, their fingerprints and row counts (sidebar "Sources").
SELECT
  source,
  regexp_extract(path, '[^/\\]+$') AS file,
  left(sha256, 12) AS sha256,
  rows,
  path
FROM load_sources
WHERE load_id = $load_id
ORDER BY source
