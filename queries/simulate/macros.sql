-- Helper macros every simulator stage uses (created per connection as TEMP macros).
-- docs/simulate.md: a value is *present* when it is neither NULL nor blank after trimming; trimming removes
-- ASCII whitespace (space, tab, CR, LF, VT, FF) everywhere in the simulator.
-- trim() with a character list is ~10x slower than a byte test in DuckDB, so the macros only call it
-- when the first (or last) character could be whitespace: any byte above 32 cannot be.
CREATE OR REPLACE TEMP MACRO sim_ws() AS e' \t\n\r\x0b\x0c';
CREATE OR REPLACE TEMP MACRO sim_present(x) AS (
  x IS NOT NULL AND (ascii(x) > 32 OR trim(x, sim_ws()) <> '')
);
-- the value itself when present, else NULL (so "absent values never match" falls out of SQL's NULL)
CREATE OR REPLACE TEMP MACRO sim_clean(x) AS (CASE WHEN sim_present(x) THEN x END);
-- the trimmed value when present, else NULL
CREATE OR REPLACE TEMP MACRO sim_trimmed(x) AS (
  CASE WHEN ascii(x) > 32 AND ascii(x[-1]) > 32 THEN x
       ELSE nullif(trim(x, sim_ws()), '') END
);
