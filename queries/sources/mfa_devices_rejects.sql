-- The unusable rows of one checked batch of datafile devices, with their reasons (run only when the batch
-- inserted fewer rows than it had).
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT $source, source_line, reject_column, reject_reason, raw
FROM mfa_devices_checked
WHERE reject_column IS NOT NULL;
