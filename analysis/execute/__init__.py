"""Stage 4 of the pipeline, the only part that writes to a tenant: batches, the journal, the runner,
verification, rollback, Staged Rollout and the interval loop (``autorun``).
"""
