"""Per-user configuration (`config.toml` in the platform's config dir), separate from the
workspace: key bindings, the engine and model, defaults. Secrets may live here, never in
the workspace file.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workos_tui.core.models import format_validation_error

DEFAULT_MODEL = "claude-sonnet-5-5"


class ConfigError(Exception):
    pass


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    engine: str | None = None  # "offline" | "anthropic"; None: anthropic when a key is set
    model: str = DEFAULT_MODEL
    concurrency: int = Field(default=10, ge=1, le=100)
    delegate_timeout_s: float = Field(default=120.0, gt=0)
    hours_available: float = Field(default=6.0, gt=0, le=24)
    theme: str | None = None
    # action name -> comma-separated keys, e.g. {"capture": "a,c"}
    keys: dict[str, str] = Field(default_factory=dict)
    api_key: str | None = Field(default=None, repr=False)

    def resolved_api_key(self) -> str | None:
        return os.environ.get("ANTHROPIC_API_KEY") or self.api_key

    def resolved_model(self) -> str:
        return os.environ.get("WORKOS_MODEL") or self.model

    def resolved_engine(self) -> str:
        """`engine` from the file, else anthropic when a key is present, else offline."""
        if self.engine:
            return self.engine
        return "anthropic" if self.resolved_api_key() else "offline"


def config_path() -> Path:
    env = os.environ.get("WORKOS_CONFIG")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("workos", appauthor=False)) / "config.toml"


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: {e}") from None
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        raise ConfigError(f"{path}: {format_validation_error(e)}") from None
