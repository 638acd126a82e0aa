"""Stage 2 of the pipeline: the what-if settings and the runner that turns the workspace into a plan.

``settings`` reads and validates the settings file; ``runner`` applies the Migration Utility's sync
rules in SQL (``queries/simulate/``) and writes the ``plan`` table.
"""
