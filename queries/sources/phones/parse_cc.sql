-- Fast path for one country calling code: parse its rows the way phonenumbers.parse does, then
-- is_valid_number for its main region, with the metadata passed as constants:
--   $cc, $cc_str; $idd ('^(?:international prefix)'); $has_np, $np ('^(?:national prefix for
--   parsing)'), $ngroups, $has_rule, $rule; $gen, $gen_len, $local_len (general description);
--   $shared (several regions use the code), $has_ld, $ld ('^(?:main region's leading digits)');
--   $l1/$p1 .. $l8/$p8 (the main region's number type groups).
-- A number without '+' that starts with the international prefix is left to phonenumbers.
INSERT INTO phone_parsed (src, key, cc, nsn, perr, valid, rest)
WITH a AS MATERIALIZED (
  SELECT src, key, has_plus, digits, national0,
         NOT has_plus AND regexp_matches(digits, $idd)
           AND substr(digits, length(regexp_extract(digits, $idd)) + 1, 1) <> '0' AS idd
  FROM phone_work WHERE fast AND perr IS NULL AND cc = $cc
), b AS (
  -- a number without '+' may start with the country code itself: phonenumbers keeps it stripped when
  -- the rest fits the general pattern and the whole does not, or the whole is too long
  SELECT src, key,
         CASE WHEN has_plus THEN national0 ELSE digits END AS whole,
         CASE WHEN NOT has_plus AND starts_with(digits, $cc_str) THEN
           phone_np_strip(substr(digits, length($cc_str) + 1), $has_np, $np, $ngroups, $has_rule, $rule, $gen)
         END AS without_cc
  FROM a WHERE NOT idd
), c AS MATERIALIZED (
  SELECT src, key,
         CASE WHEN without_cc IS NOT NULL
                   AND ((NOT regexp_full_match(whole, $gen) AND regexp_full_match(without_cc, $gen))
                        OR phone_len_check(whole, $gen_len::INTEGER[], $local_len::INTEGER[]) = 'too_long')
              THEN without_cc ELSE whole END AS n0
  FROM b
), d AS MATERIALIZED (
  SELECT src, key, n0, phone_np_strip(n0, $has_np, $np, $ngroups, $has_rule, $rule, $gen) AS n1 FROM c
), e AS MATERIALIZED (
  SELECT src, key,
         CASE WHEN length(n0) < 2 THEN NULL
              WHEN phone_len_check(n1, $gen_len::INTEGER[], $local_len::INTEGER[])
                   IN ('too_short', 'local_only', 'invalid_length')
              THEN n0 ELSE n1 END AS nsn
  FROM d
), f AS (
  SELECT src, key, CASE WHEN length(nsn) <= 17 THEN nsn END AS nsn,
         CASE WHEN nsn IS NULL THEN 'too short' WHEN length(nsn) > 17 THEN 'too long' END AS perr
  FROM e
), g AS (
  SELECT src, key, nsn, perr,
         -- Entra's own numbers (src 2) only need parsing, not validating
         src < 2 AND nsn IS NOT NULL AND phone_region_ok(nsn, $gen_len::INTEGER[], $gen,
          $l1::INTEGER[], $p1, $l2::INTEGER[], $p2, $l3::INTEGER[], $p3, $l4::INTEGER[], $p4,
          $l5::INTEGER[], $p5, $l6::INTEGER[], $p6, $l7::INTEGER[], $p7, $l8::INTEGER[], $p8) AS ok,
         src < 2 AND nsn IS NOT NULL AND $has_ld AND regexp_matches(nsn, $ld) AS leads
  FROM f
)
-- the main region takes the number when its leading digits match (if it has any), else when valid
SELECT src, key, $cc, nsn, perr,
       CASE WHEN $has_ld THEN leads AND ok ELSE ok END,
       src < 2 AND nsn IS NOT NULL AND $shared AND NOT (CASE WHEN $has_ld THEN leads ELSE ok END)
FROM g;
