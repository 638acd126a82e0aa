INSERT INTO meta (key, value) VALUES (?, ?);
