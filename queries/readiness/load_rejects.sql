-- id: load_rejects
-- title: Source rows the loader could not use
-- severity: warning
-- why: Rows that fail to parse are kept out of the workspace and listed here rather than dropped: each one
--   may be a user or a method this report knows nothing about.
-- remediation: Fix the named file at the given line (or the source system) and load again.
SELECT
  'reject' AS subject_type,
  format('{}:{}:{}:{}', r.source, coalesce(CAST(r.line AS VARCHAR), ''), coalesce(r."column", ''),
         left(md5(r.reason), 8)) AS subject_id,
  NULL::BIGINT AS user_id,
  NULL::VARCHAR AS username,
  NULL::VARCHAR AS upn,
  format('{} line {}{}: {}', r.source, coalesce(CAST(r.line AS VARCHAR), '?'),
         CASE WHEN r."column" IS NULL THEN '' ELSE format(' ({})', r."column") END, r.reason) AS detail
FROM rejects r
ORDER BY r.source, r.line, r."column";
