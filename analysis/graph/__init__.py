"""Microsoft Graph: msal authentication, an httpx client, tenant snapshot collection, local emulator.

Production code takes the Graph base URL and the authority as parameters; tests point them at the
emulator on 127.0.0.1. Public entry points: :mod:`analysis.graph.auth` (token providers),
:mod:`analysis.graph.credentials` (secrets, certificates, the token cache),
:mod:`analysis.graph.client` (:class:`~analysis.graph.client.GraphClient`),
:mod:`analysis.graph.errors` (typed failures) and :mod:`analysis.graph.collect` (snapshots).
"""

import logging

# A library does not print: without a configured handler, our records go nowhere (not to stderr).
logging.getLogger("analysis.graph").addHandler(logging.NullHandler())
