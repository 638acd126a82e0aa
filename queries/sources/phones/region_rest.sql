-- Fast path, country codes shared by several regions (NANPA's +1, +44, +7, ...): numbers the main
-- region did not take are offered to the other regions in phonenumbers' order. A region with leading
-- digits ($has_ld, $ld = '^(?:...)') takes the numbers that start with them and they are valid when
-- they fit it; a region without takes the numbers valid for it (region_code_for_number's rule).
UPDATE phone_parsed
SET rest = false,
    valid = phone_region_ok(nsn, $gen_len::INTEGER[], $gen,
          $l1::INTEGER[], $p1, $l2::INTEGER[], $p2, $l3::INTEGER[], $p3, $l4::INTEGER[], $p4,
          $l5::INTEGER[], $p5, $l6::INTEGER[], $p6, $l7::INTEGER[], $p7, $l8::INTEGER[], $p8)
WHERE rest AND cc = $cc
  AND CASE WHEN $has_ld THEN regexp_matches(nsn, $ld)
           ELSE phone_region_ok(nsn, $gen_len::INTEGER[], $gen,
          $l1::INTEGER[], $p1, $l2::INTEGER[], $p2, $l3::INTEGER[], $p3, $l4::INTEGER[], $p4,
          $l5::INTEGER[], $p5, $l6::INTEGER[], $p6, $l7::INTEGER[], $p7, $l8::INTEGER[], $p8) END;
