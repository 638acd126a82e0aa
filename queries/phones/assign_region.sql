-- Fast path, step 2a (country codes shared by several regions): the numbers of $cc not yet given a
-- region that start with $region's leading digits ($leading, anchored '^(?:...)') belong to $region,
-- as in phonenumbers' region_code_for_number (regions are tried in phonenumbers' order).
UPDATE phone_parsed SET vregion = $region
WHERE cc = $cc AND nsn IS NOT NULL AND vregion IS NULL AND regexp_matches(nsn, $leading);
