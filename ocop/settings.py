"""Settings read from `OCOP_*` environment variables, with embedded defaults that need no configuration.

Each field below is read from `OCOP_` + its name upper-cased (`home` from `OCOP_HOME`); a variable
set but empty counts as unset. A value that cannot be used stops `load_settings` with the variable,
the value and what is expected.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "OCOP_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True)

    home: Path = Field(Path("ocop-data"), description="where the database, reports and sandbox state live")
    database_url: str = Field("", validate_default=True,
                              description="SQLAlchemy URL (default sqlite:///$OCOP_HOME/ocop.db); PostgreSQL in production")
    shops_file: Path | None = Field(None, description="TOML file declaring the shops to publish to (`shops.file`)")
    catalogue_source: str | None = Field(None, description="registry URL or CSV/XLSX path the scheduled pull reads")
    render_processes: int = Field(1, description="processes drawing listings during a publish (0: in the publishing threads)")
    reports_url: str | None = Field(None, description="where `ocop reports serve` serves the reports folder, for links "
                                                      "in Prefect's UI")
    packages_file: Path | None = Field(None, description="the province's own copy of rendering/profiles/packages.csv "
                                                         "(packaging allowances and boxes by pack weight)")
    typical_packs_file: Path | None = Field(None, description="the province's own copy of rendering/profiles/"
                                                              "typical_packs.csv (each group's usual pack)")
    smtp_host: str | None = Field(None, description="mail server that sends producers their reports (`ocop report --email`)")
    smtp_port: int | None = Field(None, description="its port (default: 465 for ssl, 587 for starttls, 25 for none)")
    smtp_user: str | None = Field(None, description="login on the mail server (none: send without logging in)")
    smtp_password: SecretStr | None = Field(None, description="its password; never shown in logs or reports")
    smtp_sender: str | None = Field(None, description="the From address of the reports")
    smtp_reply_to: str | None = Field(None, description="the province office's address, where producers' replies go "
                                                        "(default: the sender)")
    smtp_security: Literal["ssl", "starttls", "none"] = Field("starttls", description="ssl (implicit TLS), starttls, "
                                                                                      "or none (loopback servers only)")

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def sandbox_dir(self) -> Path:
        return self.home / "sandboxes"

    @field_validator("home")
    @classmethod
    def _absolute(cls, home: Path) -> Path:
        return home.resolve()

    @field_validator("database_url")
    @classmethod
    def _in_home_by_default(cls, url: str, info: ValidationInfo) -> str:
        return url or f"sqlite:///{info.data['home'] / 'ocop.db'}"

    @field_validator("render_processes", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        # pydantic alone would take "1_000" or "+2"; a count of processes is written as digits
        if isinstance(value, str) and not value.strip().isdigit():
            raise ValueError("expected a whole number of 0 or more")
        if isinstance(value, int) and value < 0:
            raise ValueError("expected a whole number of 0 or more")
        return value

    @field_validator("reports_url")
    @classmethod
    def _http_folder(cls, url: str | None) -> str | None:
        if url is None or not url.strip():
            return None
        if not url.strip().startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL, such as http://127.0.0.1:8790/")
        return url.strip().rstrip("/") + "/"


class SettingsError(ValueError):
    pass


def load_settings() -> Settings:
    """The settings of this process's environment; a bad value raises `SettingsError` naming the variable.

    Read again whenever an `OCOP_*` variable changed, else remembered: reading costs most of a
    millisecond, and rendering asks once per listing."""
    return _settings_of(tuple(sorted((name, value) for name, value in os.environ.items() if name.startswith(ENV_PREFIX))))


@lru_cache(maxsize=8)
def _settings_of(environment: tuple[tuple[str, str], ...]) -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError("; ".join(_explained(problem) for problem in error.errors())) from None


def _explained(problem: Any) -> str:
    variable = ENV_PREFIX + str(problem["loc"][0]).upper()
    reason = problem["ctx"]["error"] if problem["type"] == "value_error" else problem["msg"]
    return f"{variable}={problem['input']!r}: {reason}"
