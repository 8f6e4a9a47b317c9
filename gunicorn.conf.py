"""gunicorn's settings, read from the working directory (the container's /app) whatever command starts it.

Logs go through the app's JSON logging and its redaction of tokens in URLs (config/logging.py).
"""

import os

from config.logging import gunicorn_logging

bind = "0.0.0.0:8000"  # a --bind on the command line wins
threads = 2
# The app is imported once and the workers forked from it: they start in seconds instead of each importing Django
# (twice as fast to serve on a 2-core machine) and share the imported code's memory. Nothing opens a connection at
# import, so no socket is shared between workers.
preload_app = True
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
logconfig_dict = gunicorn_logging(os.environ.get("LOG_LEVEL", "INFO"))
