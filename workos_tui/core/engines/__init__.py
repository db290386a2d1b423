"""Engines turn a delegate's spec into streamed text and an output; `make_engine` picks one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workos_tui.core.engines.base import Engine

if TYPE_CHECKING:
    from workos_tui.core.config import Config
    from workos_tui.core.store import Store

ENGINE_NAMES = ("offline", "anthropic")


def make_engine(name: str | None, *, store: Store, config: Config) -> Engine:
    """`name`, else the config's choice (anthropic when a key is set, else offline)."""
    chosen = (name or config.resolved_engine()).strip().lower()
    if chosen == "offline":
        from workos_tui.core.engines.offline import OfflineEngine

        return OfflineEngine()
    if chosen == "anthropic":
        # Imported only when chosen: the SDK is heavy and the offline path never needs it.
        from workos_tui.core.engines.anthropic import AnthropicEngine

        engine: Engine = AnthropicEngine(store=store, config=config)
        return engine
    raise ValueError(f"unknown engine {chosen!r} (expected one of: {', '.join(ENGINE_NAMES)})")


__all__ = ["ENGINE_NAMES", "Engine", "make_engine"]
