-- Helper macros every simulator stage uses (created per connection as TEMP macros).
-- DESIGN 4.9: a value is *present* when it is neither NULL nor blank after trimming; trimming removes
-- ASCII whitespace (space, tab, CR, LF, VT, FF) everywhere in the simulator.
CREATE OR REPLACE TEMP MACRO sim_ws() AS e' \t\n\r\x0b\x0c';
CREATE OR REPLACE TEMP MACRO sim_present(x) AS (x IS NOT NULL AND trim(x, sim_ws()) <> '');
-- the value itself when present, else NULL (so "absent values never match" falls out of SQL's NULL)
CREATE OR REPLACE TEMP MACRO sim_clean(x) AS (CASE WHEN sim_present(x) THEN x END);
-- the trimmed value when present, else NULL
CREATE OR REPLACE TEMP MACRO sim_trimmed(x) AS (CASE WHEN sim_present(x) THEN trim(x, sim_ws()) END);
