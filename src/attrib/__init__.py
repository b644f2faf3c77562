"""attrib: Postgres-native marketing attribution for Segment warehouse tables.

The work happens in PL/pgSQL (see procedures/); this package deploys it,
runs it and reports on it.
"""

__version__ = "0.1.0"
