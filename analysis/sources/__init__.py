"""Readers that turn the MFA Server data and a tenant snapshot into the workspace's canonical tables.

``datafile`` reads the SQLite ``PhoneFactor.pfdata`` through ``queries/sources/pfdata.sql``;
``export_csv`` reads the console's Export Users CSV; ``tenant`` reads a snapshot directory. They share
``files`` (kind detection, hashing), ``sqlrun`` (running multi-statement SQL files) and
``fingerprint`` (the only place secrets are turned into SHA-256 fingerprints in Python).
"""
