-- Combine fast and slow results into mfa_phones and the Entra phone columns.
-- phone_slow_source(cc_raw, num, cc, nsn, valid, perr) holds the slow path's results (registered).
CREATE OR REPLACE TEMP TABLE phone_slow AS SELECT * FROM phone_slow_source;

-- A view, not a table: each use below reads only its own rows (MFA Server or Entra).
CREATE OR REPLACE TEMP VIEW phone_result AS
SELECT w.src, w.key, w.ext,
       coalesce(p.cc, s.cc) AS cc, coalesce(p.nsn, s.nsn) AS nsn,
       coalesce(p.valid, s.valid, false) AS valid,
       coalesce(w.perr, p.perr, s.perr,
                CASE WHEN NOT coalesce(p.valid, s.valid, false)
                     THEN 'not a valid number for country code +' || coalesce(p.cc, s.cc) END) AS error
FROM phone_work w
LEFT JOIN phone_parsed p ON p.src = w.src AND p.key = w.key
LEFT JOIN phone_slow s ON s.num = CASE WHEN p.key IS NULL AND w.perr IS NULL THEN w.num END
                       AND s.cc_raw IS NOT DISTINCT FROM w.cc_raw;

INSERT INTO mfa_phones (user_id, slot, e164, graph_number, extension, valid, error)
SELECT key, CASE src WHEN 0 THEN 'phone' ELSE 'backup_phone' END,
       CASE WHEN valid THEN '+' || cc || nsn END,
       CASE WHEN valid THEN '+' || cc || ' ' || nsn END,
       ext, valid, CASE WHEN NOT valid THEN error END
FROM phone_result WHERE src < 2;

UPDATE entra_methods AS m
SET phone_e164 = CASE WHEN r.nsn IS NOT NULL THEN '+' || r.cc || r.nsn END, phone_extension = r.ext
FROM phone_result r
WHERE r.src = 2 AND m.rowid = r.key;

DROP VIEW phone_result;
DROP TABLE phone_parsed;
DROP TABLE phone_work;
DROP TABLE phone_slow;
DROP TABLE phone_cc;
