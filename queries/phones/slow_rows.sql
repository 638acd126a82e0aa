-- The distinct inputs the SQL path does not handle, for phonenumbers itself: rows of an unusual shape,
-- and fast rows that start with an international dialling prefix. Entra numbers carry no country code.
SELECT DISTINCT w.cc_raw, w.num
FROM phone_work w
WHERE NOT w.fast OR (w.rowid IN (SELECT id FROM phone_fast WHERE perr IS NULL)
                     AND w.rowid NOT IN (SELECT id FROM phone_parsed))
ORDER BY ALL;
