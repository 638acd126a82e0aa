INSERT INTO settings (section, key, value) VALUES (?, ?, ?);
