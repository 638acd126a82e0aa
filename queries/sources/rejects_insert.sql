-- Rows a Python reader found unusable before SQL saw them (e.g. a CSV row with the wrong number of
-- fields), from the registered frame reader_rejects(line, column, reason, raw).
INSERT INTO rejects (source, line, "column", reason, raw)
SELECT $source, line, "column", reason, raw FROM reader_rejects;
