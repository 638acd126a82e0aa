-- Helper macros every simulator stage uses (created per connection as TEMP macros).
-- docs/simulate.md: a value is *present* when it is neither NULL nor blank after trimming; trimming removes
-- ASCII whitespace (space, tab, CR, LF, VT, FF) everywhere in the simulator.
-- trim() with a character list is ~10x slower than a byte test in DuckDB, so the macros only call it
-- when the first (or last) character could be whitespace: any byte above 32 cannot be.
CREATE OR REPLACE TEMP MACRO sim_ws() AS e' \t\n\r\x0b\x0c';
-- Written as CASE, not `x IS NOT NULL AND (ascii(x) > 32 OR trim(...) <> '')`: as a projected value DuckDB
-- evaluates both sides of an OR on every row, so the trim ran for every value (15x slower per column).
CREATE OR REPLACE TEMP MACRO sim_present(x) AS (
  CASE WHEN x IS NULL THEN false WHEN ascii(x) > 32 THEN true ELSE trim(x, sim_ws()) <> '' END
);
-- the value itself when present, else NULL (so "absent values never match" falls out of SQL's NULL)
CREATE OR REPLACE TEMP MACRO sim_clean(x) AS (CASE WHEN sim_present(x) THEN x END);
-- the trimmed value when present, else NULL
CREATE OR REPLACE TEMP MACRO sim_trimmed(x) AS (
  CASE WHEN ascii(x) > 32 AND ascii(x[-1]) > 32 THEN x
       ELSE nullif(trim(x, sim_ws()), '') END
);
-- The match keys (docs/simulate.md), one definition for the simulator (keys.sql) and the Users page's
-- candidate accounts (queries/dashboard/userpanel.sql): upn = lower(username) vs lower(userPrincipalName),
-- untrimmed; sid exact; attribute = the configured field, trimmed and lower-cased. Absent values are NULL.
CREATE OR REPLACE TEMP MACRO sim_upn_key(x) AS (CASE WHEN sim_present(x) THEN lower(x) END);
CREATE OR REPLACE TEMP MACRO sim_sid_key(x) AS sim_clean(x);
-- attr_mfa: username, email, object_sid, or account (DOMAIN\ dropped, then everything from the first '@')
CREATE OR REPLACE TEMP MACRO sim_mfa_attr_key(attr, username, email, object_sid) AS lower(sim_trimmed(
  CASE attr
    WHEN 'username'   THEN username
    WHEN 'email'      THEN email
    WHEN 'object_sid' THEN object_sid
    WHEN 'account'    THEN split_part(
      CASE WHEN strpos(username, '\') > 0 THEN substr(username, strpos(username, '\') + 1)
           ELSE username END, '@', 1)
  END));
-- attr_entra names the Entra user property compared (settings key match.attribute.entra)
CREATE OR REPLACE TEMP MACRO sim_entra_attr_key(attr, upn, mail, sam, employee_id, immutable_id) AS
  lower(sim_trimmed(CASE attr
    WHEN 'userPrincipalName'        THEN upn
    WHEN 'mail'                     THEN mail
    WHEN 'onPremisesSamAccountName' THEN sam
    WHEN 'employeeId'               THEN employee_id
    WHEN 'onPremisesImmutableId'    THEN immutable_id
  END));
