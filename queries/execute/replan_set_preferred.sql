UPDATE entra_users SET preferred_method = ? WHERE id = ?
