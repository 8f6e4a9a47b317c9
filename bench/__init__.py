"""Load benchmark of the app under gunicorn and PostgreSQL on loopback; `make bench` runs bench/run.py."""
