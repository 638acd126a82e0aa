-- The distinct inputs the SQL path did not parse, for phonenumbers itself: rows of an unusual shape,
-- rows of country codes with few numbers, and numbers that start with an international dialling
-- prefix. Entra numbers carry no country code.
SELECT DISTINCT w.cc_raw, w.num
FROM phone_work w ANTI JOIN phone_parsed p ON p.src = w.src AND p.key = w.key
WHERE NOT w.fast OR w.perr IS NULL
ORDER BY ALL;
