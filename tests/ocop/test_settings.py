"""Settings from OCOP_* variables: defaults that need no configuration, and a bad value refused with
the variable, the value and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from ocop.settings import SettingsError, load_settings

VARIABLES = ("OCOP_HOME", "OCOP_DATABASE_URL", "OCOP_SHOPS_FILE", "OCOP_CATALOGUE_SOURCE",
             "OCOP_RENDER_PROCESSES", "OCOP_REPORTS_URL")


@pytest.fixture(autouse=True)
def unset(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_without_variables_everything_lives_in_ocop_data_beside_the_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    settings = load_settings()

    assert settings.home == tmp_path / "ocop-data"
    assert settings.database_url == f"sqlite:///{tmp_path / 'ocop-data' / 'ocop.db'}"
    assert (settings.shops_file, settings.catalogue_source, settings.render_processes, settings.reports_url) == (
        None, None, 1, None)
    assert settings.reports_dir == tmp_path / "ocop-data" / "reports"


def test_the_database_follows_the_home_unless_given_and_empty_variables_count_as_unset(tmp_path, monkeypatch):
    monkeypatch.setenv("OCOP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OCOP_DATABASE_URL", "")
    monkeypatch.setenv("OCOP_SHOPS_FILE", "")
    monkeypatch.setenv("OCOP_RENDER_PROCESSES", " 0 ")

    settings = load_settings()

    assert settings.database_url == f"sqlite:///{tmp_path / 'home' / 'ocop.db'}"
    assert settings.shops_file is None and settings.render_processes == 0
    monkeypatch.setenv("OCOP_DATABASE_URL", "postgresql+psycopg://ocop@db/ocop")
    monkeypatch.setenv("OCOP_SHOPS_FILE", "/etc/ocop/shops.toml")
    assert load_settings().database_url == "postgresql+psycopg://ocop@db/ocop"
    assert load_settings().shops_file == Path("/etc/ocop/shops.toml")


@pytest.mark.parametrize("value", ["two", "-1", "1_000", "+2", "1.5"])
def test_a_count_of_render_processes_is_written_in_digits(monkeypatch, value):
    monkeypatch.setenv("OCOP_RENDER_PROCESSES", value)

    with pytest.raises(SettingsError) as refused:
        load_settings()

    assert str(refused.value) == f"OCOP_RENDER_PROCESSES={value!r}: expected a whole number of 0 or more"


def test_every_bad_value_is_named_at_once(monkeypatch):
    monkeypatch.setenv("OCOP_RENDER_PROCESSES", "many")
    monkeypatch.setenv("OCOP_REPORTS_URL", "reports.ocop.internal")

    with pytest.raises(SettingsError) as refused:
        load_settings()

    assert "OCOP_RENDER_PROCESSES='many'" in str(refused.value)
    assert "OCOP_REPORTS_URL='reports.ocop.internal': expected an http:// or https:// URL" in str(refused.value)


def test_settings_cannot_be_changed_once_read():
    settings = load_settings()

    with pytest.raises(ValidationError):
        settings.render_processes = 4
