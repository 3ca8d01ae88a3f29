"""Configuration from the environment (``ACTIONPLANE_*``), validated once at start-up."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a deployment configures. A fleet shares these through its environment."""

    model_config = SettingsConfigDict(env_prefix="ACTIONPLANE_", extra="ignore", frozen=True)

    database_url: str = Field(
        default="sqlite:///./actionplane.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql://user@host/db",
    )
    toolkits_path: str | None = Field(
        default=None, description="Extra toolkit files or folders, separated by os.pathsep"
    )
    overrides_path: Path | None = Field(default=None, description="YAML file of tool overrides")
    encryption_key: str | None = Field(
        default=None,
        description="Comma-separated base64 AES-256 keys, newest first (rotation)",
    )
    key_file: Path = Field(
        default=Path(".actionplane/encryption.key"),
        description="Where the embedded mode keeps its generated key when none is configured",
    )
    project: str = Field(default="default", description="Project of embedded SDK calls")
    redis_url: str | None = Field(
        default=None, description="Redis shared by a fleet: rate limits and breaker state"
    )
    redis_prefix: str = Field(
        default="actionplane:", description="Prefix of every Redis key (one per deployment)"
    )
    idempotency_retention_s: float = Field(default=86400.0, gt=0, description="Key retention")
    idempotency_wait_s: float = Field(
        default=10.0, ge=0, description="How long a duplicate waits for the first call"
    )
    dedup_window_s: float = Field(
        default=60.0, ge=0, description="Window deduplicating keyless repeats of a write"
    )
    rate_limit_max_wait_s: float = Field(
        default=5.0, ge=0, description="Longest a call waits for a rate limit before backpressure"
    )
    redrive_interval_s: float = Field(
        default=5.0, gt=0, description="How often a server looks for dead letters due a redrive"
    )
    max_attempts: int = Field(default=4, ge=1, description="Attempts per call, retries included")
    refresh_skew_s: float = Field(
        default=60.0, ge=0, description="Refresh OAuth tokens this long before they expire"
    )
    oauth_state_ttl_s: float = Field(
        default=600.0, gt=0, description="How long a connect link (its OAuth state) stays valid"
    )
    oauth_redirect_url: str | None = Field(
        default=None, description="Redirect URI of reconnect links for connections made without one"
    )
    rate_limits: dict[str, dict[str, dict[str, float]]] = Field(
        default_factory=dict,
        description='Per toolkit: {"github": {"per_connection": {"per_second": 10, "burst": 5}}}',
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql", "postgres")):
            raise ValueError("only sqlite:// and postgresql:// URLs are supported")
        return value

    def toolkit_locations(self) -> list[Path]:
        """The user toolkit files and folders, in order."""
        if not self.toolkits_path:
            return []
        return [Path(p) for p in self.toolkits_path.split(os.pathsep) if p]
