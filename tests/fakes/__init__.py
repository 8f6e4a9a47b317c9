"""Local stand-ins for the external systems the app talks to, each speaking exactly its vendor's documented protocol."""
