"""Durations on the command line: `2h`, `90m`, `1h30m`, `45s`, `1d`, or plain seconds."""

from __future__ import annotations

import re
from datetime import timedelta

import click

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)", re.IGNORECASE)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """`2h` -> 2 hours; `1h30m`, `90m`, `45s`, `1d`, `0`, `120` (seconds). ValueError otherwise."""
    value = text.strip().replace(" ", "")
    if not value:
        raise ValueError("empty duration")
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return timedelta(seconds=float(value))
    if not re.fullmatch(r"(\d+(\.\d+)?[dhms])+", value, re.IGNORECASE):
        raise ValueError(f"not a duration: {text!r} (use e.g. 2h, 90m, 1h30m, 45s)")
    seconds = sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in _PART.findall(value))
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """2 hours -> `2h`, 90 minutes -> `1h30m`, 45 seconds -> `45s`."""
    seconds = int(round(value.total_seconds()))
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def pg_interval(value: timedelta) -> str:
    """A PostgreSQL interval literal for the duration, e.g. `7200 seconds`."""
    return f"{int(round(value.total_seconds()))} seconds"


class Duration(click.ParamType):
    """A click parameter that reads `2h`, `90m`, `45s`, ... into a timedelta."""

    name = "duration"

    def convert(self, value, param, ctx):  # type: ignore[override]
        if isinstance(value, timedelta):
            return value
        try:
            return parse_duration(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DURATION = Duration()
