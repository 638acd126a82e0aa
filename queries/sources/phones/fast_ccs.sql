-- The country calling codes whose fast rows the SQL path parses: those with at least $min_rows rows
-- (for fewer, phonenumbers in Python is quicker than the SQL statements' fixed cost).
SELECT cc FROM phone_work WHERE fast AND perr IS NULL GROUP BY cc HAVING count(*) >= $min_rows ORDER BY cc;
