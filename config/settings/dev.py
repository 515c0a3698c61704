"""Embedded default: SQLite, no Redis, DEBUG on unless DEBUG=0. Used by `make run` and tests."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
