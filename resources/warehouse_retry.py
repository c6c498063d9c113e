"""Riding out a lost warehouse connection: a transaction whose connection died (server restart, terminated
backend, network) or that was cancelled (statement timeout) is rolled back by the server and run again, whole,
on a fresh connection; anything committed before stays committed."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

import psycopg
from psycopg import errors as pg_errors
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from core.logs import project_logger

log = project_logger("warehouse")
T = TypeVar("T")
TRANSIENT_SERVER_ERRORS = (
    pg_errors.AdminShutdown,
    pg_errors.CrashShutdown,
    pg_errors.CannotConnectNow,
    pg_errors.QueryCanceled,
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
)
MAX_ATTEMPTS = 4
BASE_DELAY = 0.5


def is_transient(error: BaseException) -> bool:
    """True for a failure that a new transaction on a fresh connection can get past."""
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig if error.orig is not None else error
    if isinstance(error, TRANSIENT_SERVER_ERRORS):
        return True
    return isinstance(error, psycopg.OperationalError)


def in_transaction(
    engine: Engine,
    work: Callable[[Connection], T],
    *,
    attempts: int = MAX_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `work` in one transaction, again from the start on a fresh connection after a transient failure."""
    for attempt in range(1, attempts + 1):
        try:
            with engine.begin() as conn:
                return work(conn)
        except Exception as error:
            if attempt == attempts or not is_transient(error):
                raise
            delay = random.uniform(0.5, 1.0) * BASE_DELAY * 2 ** (attempt - 1)
            log.warning("warehouse transaction failed (%s); retrying on a fresh connection in %.1fs",
                        type(getattr(error, "orig", error)).__name__, delay)
            engine.dispose()
            sleep(delay)
    raise AssertionError("unreachable")
