-- The country calling codes that have fast rows to parse.
SELECT DISTINCT cc FROM phone_fast WHERE perr IS NULL ORDER BY cc;
