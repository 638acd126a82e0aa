"""What every file and screen the product writes shares: the one CSV writer and phone-number masking.

The core (CLI exports, the readiness report) and the dashboard both write through these modules, so a
rule such as "cells a spreadsheet would run are defused" or "phone numbers are masked unless revealed"
holds in every output by construction rather than by each writer remembering it.
"""
