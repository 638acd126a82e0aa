-- Every phone number to parse, in one work table: the MFA Server phone and backup phone of each user
-- (a row only when the number is present, i.e. not NULL and not empty after trim) and every Entra phone
-- method (its phoneNumber split at the first 'x' into number and extension).
-- `fast` marks the shapes the SQL path handles exactly like phonenumbers.parse: only digits, spaces,
-- '(', ')', '.', '-' and at most one '+' before the first digit, 3+ digits, at most 60 characters.
-- For those the result depends only on (has_plus, digits, country code). Everything else goes to
-- phonenumbers itself (analysis.phones.parse_phone). Needs phone_cc (setup.sql). A row's id is its
-- rowid in this table.
CREATE OR REPLACE TEMP TABLE phone_work AS
WITH src AS (
  SELECT 'phone' AS src, user_id AS mfa_user_id, NULL::VARCHAR AS entra_user_id, NULL::VARCHAR AS method_id,
         NULL::VARCHAR AS phone_number, country_code AS cc_raw, phone AS num,
         nullif(trim(extension), '') AS ext
  FROM mfa_users WHERE trim(phone) <> ''
  UNION ALL
  SELECT 'backup_phone', user_id, NULL, NULL, NULL, backup_country_code, backup_phone,
         nullif(trim(backup_extension), '')
  FROM mfa_users WHERE trim(backup_phone) <> ''
  UNION ALL
  SELECT 'entra', NULL, user_id, method_id, phone_number, NULL,
         CASE WHEN strpos(lower(phone_number), 'x') > 0
              THEN substr(phone_number, 1, strpos(lower(phone_number), 'x') - 1) ELSE phone_number END,
         CASE WHEN strpos(lower(phone_number), 'x') > 0
              THEN nullif(trim(substr(phone_number, strpos(lower(phone_number), 'x') + 1)), '') END
  FROM entra_methods WHERE kind = 'phone' AND phone_number IS NOT NULL
), shaped AS (
  SELECT *, length(num) <= 60 AND regexp_full_match(num, '[ ().\-]*\+?[0-9 ().\-]*') AS shape_ok
  FROM src
), digits AS (
  SELECT *,
         CASE WHEN shape_ok THEN replace(replace(replace(replace(replace(replace(
                num, ' ', ''), '(', ''), ')', ''), '.', ''), '-', ''), '+', '') END AS digits
  FROM shaped
)
SELECT src, mfa_user_id, entra_user_id, method_id, phone_number, cc_raw, num, ext,
       coalesce(shape_ok AND length(digits) >= 3, false) AS fast,
       strpos(num, '+') > 0 AS has_plus,
       CASE WHEN shape_ok AND length(digits) >= 3 THEN digits END AS digits,
       -- the country code as entered, for a number without '+': trimmed, one leading '+' dropped
       CASE WHEN starts_with(trim(coalesce(cc_raw, ''), ' \t\r\n'), '+')
            THEN trim(substr(trim(cc_raw, ' \t\r\n'), 2), ' \t\r\n')
            ELSE trim(coalesce(cc_raw, ''), ' \t\r\n') END AS cc_text
FROM digits;

-- Country code and errors decided before parsing, for the fast rows.
CREATE OR REPLACE TEMP TABLE phone_fast AS
SELECT w.rowid AS id, w.has_plus, w.digits,
       CASE WHEN w.has_plus THEN
              CASE WHEN starts_with(w.digits, '0') THEN NULL ELSE coalesce(k1.cc, k2.cc, k3.cc) END
            ELSE kr.cc END AS cc,
       CASE WHEN w.has_plus AND NOT starts_with(w.digits, '0') THEN
              CASE WHEN k1.cc IS NOT NULL THEN substr(w.digits, 2)
                   WHEN k2.cc IS NOT NULL THEN substr(w.digits, 3)
                   WHEN k3.cc IS NOT NULL THEN substr(w.digits, 4) END
       END AS national0,
       CASE WHEN w.has_plus THEN
              CASE WHEN starts_with(w.digits, '0') OR coalesce(k1.cc, k2.cc, k3.cc) IS NULL
                   THEN 'unknown country code' END
            WHEN w.cc_text = '' THEN 'no country code'
            WHEN NOT regexp_full_match(w.cc_text, '[0-9]+') THEN 'country code is not a number'
            WHEN kr.cc IS NULL OR NOT kr.geographic THEN 'unknown country code'
       END AS perr
FROM phone_work w
LEFT JOIN phone_cc k1 ON k1.cc = CASE WHEN w.has_plus THEN TRY_CAST(substr(w.digits, 1, 1) AS INTEGER) END
LEFT JOIN phone_cc k2 ON k2.cc = CASE WHEN w.has_plus THEN TRY_CAST(substr(w.digits, 1, 2) AS INTEGER) END
LEFT JOIN phone_cc k3 ON k3.cc = CASE WHEN w.has_plus THEN TRY_CAST(substr(w.digits, 1, 3) AS INTEGER) END
LEFT JOIN phone_cc kr ON kr.cc = CASE WHEN NOT w.has_plus AND regexp_full_match(w.cc_text, '[0-9]{1,9}')
                                      THEN TRY_CAST(w.cc_text AS INTEGER) END
WHERE w.fast;

-- Parse results: one row per fast row parsed in SQL (filled per country code by parse_cc.sql).
CREATE OR REPLACE TEMP TABLE phone_parsed (
  id BIGINT, cc INTEGER, nsn VARCHAR, perr VARCHAR, vregion VARCHAR, valid BOOLEAN
);
