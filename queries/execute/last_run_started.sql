-- When and by whom a batch's last run started (or resumed): named when a crashed run is resumed.
SELECT "at", actor FROM batch_events
WHERE batch_id = ? AND event IN ('run_started', 'run_resumed')
ORDER BY "at" DESC LIMIT 1
