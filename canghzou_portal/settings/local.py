"""Local development: `make run`. DEBUG is still off unless DEBUG=1."""

from .base import *  # noqa: F403
