"""One structured log record per call: structlog rendering JSON lines onto the standard
``actionplane.calls`` logger, so applications route it like any other log.

``ACTIONPLANE_LOG_FILE=path`` appends the lines to a file; ``ACTIONPLANE_LOG_STDERR=1`` writes
them to stderr. Records are redacted before they get here.
"""

from __future__ import annotations

import logging
import os
import sys
from functools import cache
from typing import Any

import structlog

LOGGER_NAME = "actionplane.calls"
_handler_installed: set[str] = set()


def _install_handlers() -> None:
    logger = logging.getLogger(LOGGER_NAME)
    path = os.environ.get("ACTIONPLANE_LOG_FILE")
    if path and path not in _handler_installed:
        handler = logging.FileHandler(path)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        _handler_installed.add(path)
    if os.environ.get("ACTIONPLANE_LOG_STDERR") == "1" and "stderr" not in _handler_installed:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(stream)
        _handler_installed.add("stderr")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


@cache
def _wrapped() -> Any:
    return structlog.wrap_logger(
        logging.getLogger(LOGGER_NAME),
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
            structlog.processors.JSONRenderer(sort_keys=True, default=str),
        ],
    )


def call_logger() -> Any:
    """A structlog logger whose events become JSON lines on ``actionplane.calls``."""
    _install_handlers()
    return _wrapped()


def logs_wanted() -> bool:
    """Whether a call log line would reach any handler."""
    _install_handlers()
    return logging.getLogger(LOGGER_NAME).hasHandlers()
