-- How many numbers of the shared country code $cc no region has taken yet.
SELECT count(*) FROM phone_parsed WHERE rest AND cc = $cc;
