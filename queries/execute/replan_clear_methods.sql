-- (inside a transaction that is rolled back) forget the snapshot's plan-relevant methods of a user
DELETE FROM entra_methods
WHERE user_id = ? AND kind IN ('phone', 'authenticator', 'software_oath', 'hardware_oath')
