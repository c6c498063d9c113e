"""The deployment's environment variables: one settings object, validated when the code location loads.

Resources still receive the connection settings and secrets through Dagster `EnvVar`; this object checks
every variable the deployment may set (formats, ranges, the pseudonymisation key's strength), names the
variable of each bad value, and never repeats a secret's value in its messages.
"""

from __future__ import annotations

import os
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CUTOVER_AT = "2024-12-24T00:00:00+07:00"
DEFAULT_CELERY_BROKER = "pyamqp://guest@127.0.0.1:5672//"
DEMO_PII_KEY = "demo-only-pii-hash-key-never-for-real-data"
MIN_PII_KEY_BYTES = 32
SECRET_VARIABLES = (
    "EGOV_API_KEY", "NEWSYS_CLIENT_SECRET", "PII_HASH_KEY", "WAREHOUSE_URL", "DAGSTER_PG_URL",
    "ALERT_WEBHOOK_URL", "EGOV_SYNC_CELERY_BROKER", "ALERT_SMTP_PASSWORD",
)
Executor = Literal["in_process", "multiprocess", "celery"]


class SettingsError(ValueError):
    """An environment variable has a value the pipeline cannot run with."""


def _variable(name: str) -> AliasChoices:
    """The environment variable a field is read from."""
    return AliasChoices(name)


class Environment(BaseSettings):
    """Every environment variable of egov-sync; unset optional ones take their defaults."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", env_ignore_empty=True, frozen=True)

    warehouse_url: str | None = Field(None, validation_alias=_variable("WAREHOUSE_URL"))
    egov_base_url: str | None = Field(None, validation_alias=_variable("EGOV_BASE_URL"))
    egov_api_key: str | None = Field(None, validation_alias=_variable("EGOV_API_KEY"))
    newsys_base_url: str | None = Field(None, validation_alias=_variable("NEWSYS_BASE_URL"))
    newsys_client_id: str | None = Field(None, validation_alias=_variable("NEWSYS_CLIENT_ID"))
    newsys_client_secret: str | None = Field(None, validation_alias=_variable("NEWSYS_CLIENT_SECRET"))
    pii_hash_key: str | None = Field(None, validation_alias=_variable("PII_HASH_KEY"))
    cutover_at: str = Field(DEFAULT_CUTOVER_AT, validation_alias=_variable("CUTOVER_AT"))
    alert_webhook_url: str | None = Field(None, validation_alias=_variable("ALERT_WEBHOOK_URL"))
    data_dir: Path = Field(PROJECT_ROOT / ".data", validation_alias=_variable("EGOV_SYNC_DATA_DIR"))
    report_dir: Path | None = Field(None, validation_alias=_variable("EGOV_SYNC_REPORT_DIR"))
    executor: Executor = Field("in_process", validation_alias=_variable("EGOV_SYNC_EXECUTOR"))
    celery_broker: str = Field(DEFAULT_CELERY_BROKER, validation_alias=_variable("EGOV_SYNC_CELERY_BROKER"))
    sensor_interval_seconds: int = Field(
        300, ge=1, le=86_400, validation_alias=_variable("EGOV_SYNC_SENSOR_INTERVAL_SECONDS")
    )
    statement_timeout_seconds: int = Field(
        3_600, ge=1, le=86_400, validation_alias=_variable("EGOV_SYNC_STATEMENT_TIMEOUT_SECONDS")
    )
    lock_timeout_seconds: int = Field(
        600, ge=1, le=86_400, validation_alias=_variable("EGOV_SYNC_LOCK_TIMEOUT_SECONDS")
    )
    demo: bool = Field(False, validation_alias=_variable("EGOV_SYNC_DEMO"))
    data_docs_dir: Path | None = Field(None, validation_alias=_variable("EGOV_SYNC_DATA_DOCS_DIR"))
    data_docs_url: str | None = Field(None, validation_alias=_variable("EGOV_SYNC_DATA_DOCS_URL"))
    data_docs_keep_days: int = Field(
        30, ge=1, le=36_500, validation_alias=_variable("EGOV_SYNC_DATA_DOCS_KEEP_DAYS")
    )
    freshness_interval_seconds: int = Field(
        600, ge=1, le=86_400, validation_alias=_variable("EGOV_SYNC_FRESHNESS_INTERVAL_SECONDS")
    )
    smtp_host: str | None = Field(None, validation_alias=_variable("ALERT_SMTP_HOST"))
    smtp_port: int = Field(587, ge=1, le=65_535, validation_alias=_variable("ALERT_SMTP_PORT"))
    smtp_starttls: bool = Field(True, validation_alias=_variable("ALERT_SMTP_STARTTLS"))
    smtp_user: str | None = Field(None, validation_alias=_variable("ALERT_SMTP_USER"))
    smtp_password: str | None = Field(None, validation_alias=_variable("ALERT_SMTP_PASSWORD"))
    smtp_from: str | None = Field(None, validation_alias=_variable("ALERT_SMTP_FROM"))
    smtp_ca_file: Path | None = Field(None, validation_alias=_variable("ALERT_SMTP_CA_FILE"))
    email_to: str | None = Field(None, validation_alias=_variable("ALERT_EMAIL_TO"))

    @field_validator("warehouse_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        """The warehouse is PostgreSQL through psycopg 3."""
        if value is not None and not value.startswith("postgresql+psycopg://"):
            raise ValueError("must be a SQLAlchemy URL starting with postgresql+psycopg://")
        return value

    @field_validator("egov_base_url", "newsys_base_url", "alert_webhook_url", "data_docs_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        """Sources and the webhook are reached over HTTP(S)."""
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("cutover_at")
    @classmethod
    def _aware_moment(cls, value: str) -> str:
        """The cutover is an ISO 8601 moment with its UTC offset."""
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as error:
            raise ValueError("must be an ISO 8601 date-time, e.g. 2024-12-24T00:00:00+07:00") from error
        if moment.tzinfo is None:
            raise ValueError("must carry a UTC offset, e.g. 2024-12-24T00:00:00+07:00")
        return value

    @model_validator(mode="after")
    def _strong_pii_key(self) -> Environment:
        """The key is at least MIN_PII_KEY_BYTES bytes, and the demo's key serves the demo only."""
        problem = pii_key_problem(self.pii_hash_key, demo=self.demo)
        if problem:
            raise ValueError(f"PII_HASH_KEY {problem}")
        return self


def pii_key_problem(key: str | None, *, demo: bool) -> str | None:
    """Why a pseudonymisation key may not be used, or None when it may."""
    if key is None:
        return None
    if key == DEMO_PII_KEY and not demo:
        return "is the demo's public key; set a secret key of your own outside the demo"
    if len(key.encode("utf-8")) < MIN_PII_KEY_BYTES:
        return f"must be at least {MIN_PII_KEY_BYTES} bytes long"
    return None


def describe(error: ValidationError) -> str:
    """One line per bad variable: its name and what is wrong, never its value."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        location = [str(part) for part in problem.get("loc", ()) if part != "__root__"]
        message = problem.get("msg", "is invalid").removeprefix("Value error, ")
        lines.append(f"{location[0]}: {message}" if location else message)
    return "; ".join(lines)


def read_environment() -> Environment:
    """The environment as it is now, validated; SettingsError names every bad variable (read afresh whenever
    a variable changed: a process may change its environment, as the console command does)."""
    return environment_of(frozenset(os.environ.items()))


@lru_cache(maxsize=8)
def environment_of(variables: frozenset[tuple[str, str]]) -> Environment:
    """The validated environment of these variables (the process's; validated once per set of values, an
    error every time)."""
    try:
        return Environment()
    except ValidationError as error:
        raise SettingsError(f"egov-sync cannot start: {describe(error)}") from None


def secret_values() -> set[str]:
    """The values of the secret variables set now (to recognise them where they must never go)."""
    return {value for name in SECRET_VARIABLES if (value := os.environ.get(name))}
