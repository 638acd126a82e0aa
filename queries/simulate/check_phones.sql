-- Before simulating: MFA users with a phone number while mfa_phones is empty means the numbers were
-- never parsed (analysis.phones.fill_phone_tables did not run for this workspace). Returns that count,
-- or 0 when the phones table has rows or nobody has a number.
SELECT CASE WHEN (SELECT count(*) FROM mfa_phones) > 0 THEN 0
            ELSE (SELECT count(*) FROM mfa_users
                  WHERE (phone IS NOT NULL AND trim(phone) <> '')
                     OR (backup_phone IS NOT NULL AND trim(backup_phone) <> '')) END AS unparsed;
