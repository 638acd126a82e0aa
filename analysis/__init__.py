"""mfa-migrate: audit, simulate and execute an Azure MFA Server to Microsoft Entra MFA migration.

Everything in this package except ``analysis.dashboard`` is UI-free (a test enforces it), so the CLI,
the dashboard and scripts share one headless core.
"""

__version__ = "0.1.0"
