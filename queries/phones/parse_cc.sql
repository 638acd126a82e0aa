-- Fast path, step 1: parse the fast rows of one country calling code the way phonenumbers.parse does,
-- with that code's metadata passed as constants: $cc, $cc_str, $idd ('^(?:international prefix)'),
-- $has_np, $np ('^(?:national prefix for parsing)'), $ngroups, $has_rule, $rule, $gen (general
-- pattern), $gen_len, $local_len. A number without '+' that starts with the international prefix
-- is left to phonenumbers (slow path).
INSERT INTO phone_parsed (id, cc, nsn, perr, vregion, valid)
WITH a AS MATERIALIZED (
  SELECT id, has_plus, digits, national0,
         NOT has_plus AND regexp_matches(digits, $idd)
           AND substr(digits, length(regexp_extract(digits, $idd)) + 1, 1) <> '0' AS idd
  FROM phone_fast WHERE perr IS NULL AND cc = $cc
), b AS MATERIALIZED (
  -- a number without '+' may start with the country code itself (phonenumbers keeps it stripped when
  -- the rest fits the region's general pattern better, or the whole is too long)
  SELECT id, has_plus, digits, national0,
         CASE WHEN NOT has_plus AND starts_with(digits, $cc_str) THEN
           phone_np_strip(substr(digits, length($cc_str) + 1), $has_np, $np, $ngroups, $has_rule, $rule, $gen)
         END AS without_cc
  FROM a WHERE NOT idd
), c AS MATERIALIZED (
  SELECT id,
         CASE WHEN has_plus THEN national0
              WHEN starts_with(digits, $cc_str)
                   AND ((NOT regexp_full_match(digits, $gen) AND regexp_full_match(without_cc, $gen))
                        OR phone_len_check(digits, $gen_len, $local_len) = 'too_long')
              THEN without_cc
              ELSE digits END AS n0
  FROM b
), d AS MATERIALIZED (
  SELECT id, n0, phone_np_strip(n0, $has_np, $np, $ngroups, $has_rule, $rule, $gen) AS n1 FROM c
), e AS MATERIALIZED (
  SELECT id,
         CASE WHEN length(n0) < 2 THEN NULL
              WHEN phone_len_check(n1, $gen_len, $local_len) IN ('too_short', 'local_only', 'invalid_length')
              THEN n0 ELSE n1 END AS nsn
  FROM d
)
SELECT id, $cc,
       CASE WHEN length(nsn) <= 17 THEN nsn END,
       CASE WHEN nsn IS NULL THEN 'too short' WHEN length(nsn) > 17 THEN 'too long' END,
       NULL, false
FROM e;
