"""The one Settings object: where the data lives, which scenario runs, which keys sign the log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIB = 1024 * 1024


class Settings(BaseSettings):
    """Read from TRUCELINE_* environment variables; nothing here is read at import time."""

    model_config = SettingsConfigDict(env_prefix="TRUCELINE_", extra="ignore")

    home: Path = Field(default=Path("var"), description="Directory for the SQLite database, keys and blobs")
    database_url: str = Field(default="", description="SQLAlchemy URL; empty means SQLite under `home`")
    scenario: str = Field(default="af-pk-2025", description="Packaged scenario id or path to a scenario")
    log_origin: str = Field(
        default="", description="Checkpoint origin line; empty means truceline.local/<scenario>"
    )

    map_tiles: str = Field(
        default="",
        description="Optional online tile layer for the map, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png;"
        " empty means offline (the map draws only Truceline's own layers)",
    )
    map_tiles_attribution: str = Field(default="", description="Attribution shown for the tile layer")

    checkpoint_interval_s: float = Field(
        default=0.0,
        ge=0.0,
        le=2.0,
        description="Coalesce checkpoints: sign at most this often (seconds); 0 signs after every write",
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server that sends alert e-mails")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="Port of the SMTP server")
    smtp_from: str = Field(default="truceline@localhost", description="Sender address of alert e-mails")
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection with STARTTLS")
    smtp_username: str = Field(default="", description="SMTP login; empty means no login")
    smtp_password: SecretStr = Field(
        default=SecretStr(""), description="SMTP password (never logged or shown)", repr=False
    )
    webhook_timeout_s: float = Field(
        default=5.0, gt=0, le=120, description="Time limit of one webhook or SMTP delivery, in seconds"
    )

    trusted_proxies: Annotated[tuple[IPvAnyNetwork, ...], NoDecode] = Field(
        default=(),
        description="Addresses or CIDR blocks of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto"
        " are believed, comma-separated (e.g. 127.0.0.1,10.0.0.0/8); empty means no proxy is trusted",
    )
    force_secure_cookies: bool = Field(
        default=False,
        description="Mark cookies Secure even when the request did not arrive over (trusted) https",
    )
    max_upload_bytes: int = Field(
        default=100 * MIB,
        gt=0,
        le=2**40,
        description="Largest evidence file accepted, in bytes, by the web app and the CLI alike",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_addresses(cls, value: object) -> object:
        """The environment gives one comma-separated string; Python callers may pass a sequence."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'truceline.db').resolve()}"

    @property
    def cache_dir(self) -> Path:
        """Derived data that is rebuilt when missing or stale (the gazetteer's index)."""
        return self.home / "cache"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def log_key_path(self) -> Path:
        return self.keys_dir / "log.key"

    @property
    def log_pub_path(self) -> Path:
        return self.keys_dir / "log.pub"

    def origin_for(self, scenario_id: str) -> str:
        return self.log_origin or f"truceline.local/{scenario_id}"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides winning."""
    return Settings(**overrides)  # type: ignore[arg-type]
