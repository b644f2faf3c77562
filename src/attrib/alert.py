"""Failure alerts: run the user's command (`--on-failure`, ATTRIB_ON_FAILURE) when a run finally fails.

The command runs through the shell with the failure in its environment:
ATTRIB_RUN_ID, ATTRIB_STAGE, ATTRIB_SQLSTATE, ATTRIB_MESSAGE, ATTRIB_DATABASE
and ATTRIB_SUMMARY (one line), enough to call a paging or chat webhook, e.g.
  --on-failure 'curl -fsS -d "$ATTRIB_SUMMARY" https://hooks.example.com/attrib'
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from .runner import RunResult

ALERT_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class AlertOutcome:
    returncode: int | None  # None: it did not finish in time
    output: str


def failure_environment(result: RunResult) -> dict[str, str]:
    failed = result.failed_stage
    stage = failed.stage if failed else ""
    sqlstate = (failed.sqlstate if failed else None) or ""
    message = (failed.message if failed else None) or (result.error or "")
    run = str(result.run_id) if result.run_id is not None else ""
    summary = f"attrib run {run or '(none)'} on {result.database or '?'} failed in stage {stage or '?'}: " \
              f"{sqlstate}: {message}".replace("\n", " ")
    return {
        "ATTRIB_RUN_ID": run,
        "ATTRIB_STAGE": stage,
        "ATTRIB_SQLSTATE": sqlstate,
        "ATTRIB_MESSAGE": message,
        "ATTRIB_DATABASE": result.database,
        "ATTRIB_SUMMARY": summary,
    }


def fire(command: str, result: RunResult, timeout: float = ALERT_TIMEOUT_SECONDS) -> AlertOutcome:
    """Run `command` in a shell with the failure in its environment; never raises."""
    env = {**os.environ, **failure_environment(result)}
    try:
        proc = subprocess.run(command, shell=True, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        return AlertOutcome(None, (exc.stderr or "") if isinstance(exc.stderr, str) else "")
    except OSError as exc:
        return AlertOutcome(127, str(exc))
    return AlertOutcome(proc.returncode, (proc.stderr or proc.stdout).strip())
