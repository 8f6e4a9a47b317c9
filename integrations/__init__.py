"""Connections to the systems teams already work in. Plain Python: no models, views or URLs of its own."""
