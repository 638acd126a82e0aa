-- Helpers that mirror phonenumbers' private parsing steps, one DuckDB macro each. Patterns arrive as
-- constants (bound parameters), so DuckDB compiles each regular expression once per statement.

-- phonenumbers._test_number_length for the general description: 'possible', 'too_short', 'too_long',
-- 'local_only' or 'invalid_length'. gen_len is sorted ascending and never empty (checked in Python).
CREATE OR REPLACE TEMP MACRO phone_len_check(n, gen_len, local_len) AS
  CASE WHEN list_contains(local_len, length(n)) THEN 'local_only'
       WHEN gen_len[1] = length(n) THEN 'possible'
       WHEN gen_len[1] > length(n) THEN 'too_short'
       WHEN gen_len[-1] < length(n) THEN 'too_long'
       WHEN list_contains(gen_len, length(n)) THEN 'possible'
       ELSE 'invalid_length' END;

-- phonenumbers._maybe_strip_national_prefix_carrier_code: the number with its national prefix (and
-- carrier code) removed, or transformed by the region's rule, unless that would make a number that
-- matched the general pattern stop matching it. np is the prefix pattern anchored as '^(?:...)';
-- the transform applies when the pattern's last group took part in the match (its capture is never
-- empty in the metadata, checked in Python).
CREATE OR REPLACE TEMP MACRO phone_np_strip(n, has_np, np, ngroups, has_rule, rule, gen) AS
  CASE WHEN NOT has_np OR length(n) = 0 OR NOT regexp_matches(n, np) THEN n
       WHEN has_rule AND regexp_extract(n, np, ngroups) <> '' THEN
         CASE WHEN regexp_full_match(n, gen) AND NOT regexp_full_match(regexp_replace(n, np, rule), gen)
              THEN n ELSE regexp_replace(n, np, rule) END
       ELSE
         CASE WHEN regexp_full_match(n, gen)
                   AND NOT regexp_full_match(substr(n, length(regexp_extract(n, np)) + 1), gen)
              THEN n ELSE substr(n, length(regexp_extract(n, np)) + 1) END
  END;

-- phonenumbers._is_number_matching_desc for one number type group: the possible lengths (empty = any)
-- and the pattern.
CREATE OR REPLACE TEMP MACRO phone_desc_ok(n, lens, pattern) AS
  (len(lens) = 0 OR list_contains(lens, length(n))) AND regexp_full_match(n, pattern);

-- phonenumbers._number_type_helper(...) != UNKNOWN for one region: the general description and any of
-- up to eight type groups (types sharing their possible lengths; an unused group never matches).
CREATE OR REPLACE TEMP MACRO phone_region_ok(n, gl, gp, l1, p1, l2, p2, l3, p3, l4, p4, l5, p5, l6, p6,
                                             l7, p7, l8, p8) AS
  phone_desc_ok(n, gl, gp)
  AND (phone_desc_ok(n, l1, p1) OR phone_desc_ok(n, l2, p2) OR phone_desc_ok(n, l3, p3)
       OR phone_desc_ok(n, l4, p4) OR phone_desc_ok(n, l5, p5) OR phone_desc_ok(n, l6, p6)
       OR phone_desc_ok(n, l7, p7) OR phone_desc_ok(n, l8, p8));

-- Country calling codes known to phonenumbers (phone_cc_source: phonenumbers.COUNTRY_CODE_TO_REGION_CODE,
-- registered by analysis.sources.phones).
CREATE OR REPLACE TEMP TABLE phone_cc AS
SELECT cc::INTEGER AS cc, main_region::VARCHAR AS main_region, geographic::BOOLEAN AS geographic
FROM phone_cc_source;
