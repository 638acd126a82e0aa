-- Fast path, step 2b: phonenumbers.is_valid_number for one region and one group of number types that
-- share their possible lengths ($type_len; empty = any) and patterns ($type_pattern, the group's
-- patterns joined with '|'). A number is valid when it fits the general description ($gen, $gen_len)
-- and any type. With $assign, numbers without a region yet take $region when valid (a region without
-- leading digits is chosen by validity).
UPDATE phone_parsed SET vregion = $region, valid = true
WHERE cc = $cc AND nsn IS NOT NULL AND NOT valid
  AND (vregion = $region OR ($assign AND vregion IS NULL))
  AND (len($gen_len::INTEGER[]) = 0 OR list_contains($gen_len::INTEGER[], length(nsn)))
  AND regexp_full_match(nsn, $gen)
  AND (len($type_len::INTEGER[]) = 0 OR list_contains($type_len::INTEGER[], length(nsn)))
  AND regexp_full_match(nsn, $type_pattern);
