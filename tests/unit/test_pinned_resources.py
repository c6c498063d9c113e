"""The deployed alerts resource reads its e-mail settings from the environment only: the values the
environment gives pass; any other server, port, STARTTLS, login, sender or recipients is refused, naming the
field, never its value."""

from __future__ import annotations

import pytest

from pipelines.resources_from_env import DeployedAlerting, email_values
from resources.pinned import PinnedConfigError

ENVIRONMENT = {
    "ALERT_SMTP_HOST": "smtp.soyte.example.vn", "ALERT_SMTP_PORT": "2525", "ALERT_SMTP_STARTTLS": "true",
    "ALERT_SMTP_USER": "alerts", "ALERT_SMTP_PASSWORD": "s3cret-smtp",
    "ALERT_SMTP_FROM": "egov-sync <a@b.vn>",
    "ALERT_EMAIL_TO": "truc-ban@soyte.example.vn", "ALERT_EMAIL_TO_RUN_FAILURE": "van-hanh@soyte.example.vn",
}  # fmt: skip
CHANGES = {
    "smtp_host": "smtp.example.org", "smtp_port": 25, "smtp_starttls": False, "smtp_username": "thief",
    "smtp_password": "guess", "smtp_sender": "x <x@example.org>", "smtp_ca_file": "/tmp/theirs.pem",
    "email_recipients": {"*": ["thu@example.org"]},
}  # fmt: skip


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deployment that e-mails its alerts."""
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)


def deployed(**changes: object) -> DeployedAlerting:
    """The alerts resource as the environment configures it, with some fields changed."""
    return DeployedAlerting(**(email_values() | changes))


def test_the_environment_s_e_mail_settings_pass(environment: None) -> None:
    values = email_values()
    assert (values["smtp_port"], values["smtp_starttls"]) == (2525, True)
    assert values["email_recipients"] == {"*": ["truc-ban@soyte.example.vn"],
                                          "run_failure": ["van-hanh@soyte.example.vn"]}  # fmt: skip
    deployed().check_pinned()


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_any_other_e_mail_setting_is_refused(environment: None, field: str) -> None:
    with pytest.raises(PinnedConfigError, match=f"`{field}`") as refused:
        deployed(**{field: CHANGES[field]}).check_pinned()
    assert "s3cret-smtp" not in str(refused.value) and str(CHANGES[field]) not in str(refused.value)


def test_without_a_smtp_host_no_e_mail_setting_may_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALERT_SMTP_HOST", raising=False)
    monkeypatch.setenv("ALERT_SMTP_USER", "alerts")
    assert email_values() == {}
    DeployedAlerting().check_pinned()
    with pytest.raises(PinnedConfigError, match="`smtp_host`"):
        DeployedAlerting(smtp_host="smtp.example.org").check_pinned()
