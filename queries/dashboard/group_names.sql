-- Entra group names for the scope picker (the first 5,000 by name; any name or id can still be typed).
SELECT coalesce(display_name, id) AS name FROM entra_groups ORDER BY lower(coalesce(display_name, id)) LIMIT 5000
