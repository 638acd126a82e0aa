SELECT id FROM entra_groups WHERE ? IN (id, display_name)
