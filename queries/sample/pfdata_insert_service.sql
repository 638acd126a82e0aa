INSERT INTO auth_services (service, name, detail, enabled) VALUES (?, ?, ?, ?);
