"""JSON log lines carrying the request id, with secrets in URLs masked."""

import contextvars
import json
import logging
import re

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# Paths whose next part is a credential (share links, invitations, workshop codes, password-reset and email
# keys), with their slashes plain or percent-encoded (a `next=` parameter), and query parameters that carry one
# (the code and state of a company sign-in).
SLASH = r"(?:/|%2[fF])"
SECRET_PATHS = re.compile(
    rf"({SLASH}(?:shared|invitations|join|w|password{SLASH}reset{SLASH}key|confirm-email){SLASH})[^/%\s\"'?&]+"
)
SECRET_PARAMETERS = re.compile(r"([?&](?:code|state|token|key)=)[^&\s\"']+")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = SECRET_PARAMETERS.sub(r"\1[redacted]", SECRET_PATHS.sub(r"\1[redacted]", message))
        if redacted != message:
            record.msg, record.args = redacted, None
        # Django attaches the request to error records; it would print cookies and form data.
        record.__dict__.pop("request", None)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if getattr(record, "status_code", None):
            entry["status"] = record.status_code
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def gunicorn_logging(level: str = "INFO") -> dict:
    """gunicorn's access and error logs through the same JSON lines and redaction as the app's own.

    gunicorn writes its access log itself, outside Django; without this its request lines and Referer headers
    would carry share-link, invitation and workshop tokens into the logs in plain text.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}, "redact": {"()": RedactSecretsFilter}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id", "redact"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
