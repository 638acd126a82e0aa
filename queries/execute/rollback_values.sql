-- What the batch wrote, per user (phones, token serial, default method).
SELECT user_id, action, ref, value FROM batch_rows
WHERE batch_id = ? AND writable = 'graph'
  AND action IN ('write_mobile', 'write_mobile_drop_extension', 'write_alternate', 'write_office',
                 'create_hardware_oath', 'set_default', 'set_default_fallback')
