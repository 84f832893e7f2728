"""Keep ballot tokens out of every log line.

A token is in the URL of the phone page (`/b/<token>`) and of the two token API
endpoints. Django logs the path of every 4xx/5xx response (`django.request`) and
the development server logs every request (`django.server`), so without this a log
would hold a still valid token with the time it was used.
"""

from __future__ import annotations

import logging
import re

# Paths that carry a token; short fixed paths (/b/p/…, /b/m/…, /b/ballot/…) don't match
# because a token is at least 16 URL-safe characters with no further slash.
TOKEN_PATH = re.compile(
    r"(/b/|/api/v1/ballots/(?:sheet|submit)/)(?!p/|m/|ballot/)[A-Za-z0-9_-]{16,}"
)


def redact(text: str) -> str:
    return TOKEN_PATH.sub(r"\1…", text)


class RedactBallotTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
