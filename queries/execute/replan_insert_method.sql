INSERT INTO entra_methods (user_id, method_id, odata_type, kind, phone_type, phone_number, phone_e164, phone_extension)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
