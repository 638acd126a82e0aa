-- Hardware tokens a batch creates, per Entra user (to look them up in the inventory).
SELECT entra_id, ref FROM batch_rows WHERE batch_id = ? AND action = 'create_hardware_oath'
