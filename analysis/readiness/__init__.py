"""Stage 3 of the pipeline: readiness checks over the plan, the score, the runbook and the reports.

``checks`` runs every ``queries/readiness/*.sql`` check; ``runbook`` places the tenant in Microsoft's
migration runbook; ``report`` writes the HTML, JSON and CSV files.
"""
