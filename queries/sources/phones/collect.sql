-- Every phone number to parse, in one work table keyed by (src, key): the MFA Server phone (src 0)
-- and backup phone (src 1) of each user (key = user_id; a row only when the number is present, i.e.
-- not NULL and not empty after trim) and every Entra phone method (src 2, key = its entra_methods
-- rowid; phoneNumber split at the first 'x' into number and extension).
-- `fast` marks the shapes the SQL path handles exactly like phonenumbers.parse: only digits, spaces,
-- '(', ')', '.', '-' and at most one '+' before the first digit, 3+ digits, at most 60 characters.
-- For those the result depends only on (has_plus, digits, country code), decided here up to the
-- national number (parse_cc.sql does the rest per country code). Everything else goes to phonenumbers
-- itself (analysis.sources.phones.parse_phone). Needs phone_cc (setup.sql).
CREATE OR REPLACE TEMP TABLE phone_work AS
WITH src AS (
  SELECT 0::TINYINT AS src, user_id AS key, country_code AS cc_raw, phone AS num,
         nullif(trim(extension), '') AS ext
  FROM mfa_users WHERE trim(phone) <> ''
  UNION ALL
  SELECT 1::TINYINT, user_id, backup_country_code, backup_phone, nullif(trim(backup_extension), '')
  FROM mfa_users WHERE trim(backup_phone) <> ''
  UNION ALL
  SELECT 2::TINYINT, rowid, NULL,
         CASE WHEN strpos(lower(phone_number), 'x') > 0
              THEN substr(phone_number, 1, strpos(lower(phone_number), 'x') - 1) ELSE phone_number END,
         CASE WHEN strpos(lower(phone_number), 'x') > 0
              THEN nullif(trim(substr(phone_number, strpos(lower(phone_number), 'x') + 1)), '') END
  FROM entra_methods WHERE kind = 'phone' AND phone_number IS NOT NULL
), shaped AS (
  SELECT *,
         CASE WHEN length(num) <= 60 AND regexp_full_match(num, '[ ().\-]*\+?[0-9 ().\-]*')
              THEN replace(replace(replace(replace(replace(replace(
                     num, ' ', ''), '(', ''), ')', ''), '.', ''), '-', ''), '+', '') END AS digits0,
         trim(coalesce(cc_raw, ''), ' \t\r\n') AS cc_trim
  FROM src
), typed AS (
  SELECT src, key, cc_raw, num, ext,
         coalesce(length(digits0) >= 3, false) AS fast,
         strpos(num, '+') > 0 AS has_plus,
         CASE WHEN length(digits0) >= 3 THEN digits0 END AS digits,
         -- the country code as entered, for a number without '+': trimmed, one leading '+' dropped
         CASE WHEN starts_with(cc_trim, '+') THEN trim(substr(cc_trim, 2), ' \t\r\n') ELSE cc_trim END AS cc_text
  FROM shaped
)
SELECT w.src, w.key, w.cc_raw, w.num, w.ext, w.fast, w.has_plus, w.digits,
       CASE WHEN NOT w.fast THEN NULL
            WHEN w.has_plus THEN
              CASE WHEN starts_with(w.digits, '0') THEN NULL ELSE coalesce(k1.cc, k2.cc, k3.cc) END
            ELSE kr.cc END AS cc,
       CASE WHEN w.fast AND w.has_plus AND NOT starts_with(w.digits, '0') THEN
              CASE WHEN k1.cc IS NOT NULL THEN substr(w.digits, 2)
                   WHEN k2.cc IS NOT NULL THEN substr(w.digits, 3)
                   WHEN k3.cc IS NOT NULL THEN substr(w.digits, 4) END
       END AS national0,
       CASE WHEN NOT w.fast THEN NULL
            WHEN w.has_plus THEN
              CASE WHEN starts_with(w.digits, '0') OR coalesce(k1.cc, k2.cc, k3.cc) IS NULL
                   THEN 'unknown country code' END
            WHEN w.cc_text = '' THEN 'no country code'
            WHEN NOT regexp_full_match(w.cc_text, '[0-9]+') THEN 'country code is not a number'
            WHEN kr.cc IS NULL OR NOT kr.geographic THEN 'unknown country code'
       END AS perr
FROM typed w
LEFT JOIN phone_cc k1 ON k1.cc = CASE WHEN w.fast AND w.has_plus THEN TRY_CAST(substr(w.digits, 1, 1) AS INTEGER) END
LEFT JOIN phone_cc k2 ON k2.cc = CASE WHEN w.fast AND w.has_plus THEN TRY_CAST(substr(w.digits, 1, 2) AS INTEGER) END
LEFT JOIN phone_cc k3 ON k3.cc = CASE WHEN w.fast AND w.has_plus THEN TRY_CAST(substr(w.digits, 1, 3) AS INTEGER) END
LEFT JOIN phone_cc kr ON kr.cc = CASE WHEN w.fast AND NOT w.has_plus AND regexp_full_match(w.cc_text, '[0-9]{1,9}')
                                      THEN TRY_CAST(w.cc_text AS INTEGER) END;

-- Parse results of the fast path (filled per country code by parse_cc.sql). `rest`: a country code
-- shared by several regions whose number did not go to the main region; region_rest.sql places it.
CREATE OR REPLACE TEMP TABLE phone_parsed (
  src TINYINT, key BIGINT, cc INTEGER, nsn VARCHAR, perr VARCHAR, valid BOOLEAN, rest BOOLEAN
);
