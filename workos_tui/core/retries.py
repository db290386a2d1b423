"""How the runner retries a delegate: how long to back off after a transient error, and
what to tell the model when its output fails validation (the one repair attempt)."""

from __future__ import annotations

import random

from pydantic import ValidationError


def backoff(
    failures: int, retry_after: float | None, *, base: float, cap: float, rng: random.Random
) -> float:
    """Equal-jitter exponential backoff; a server's retry-after is a floor, plus jitter
    so that delegates told the same wait do not all come back at the same instant."""
    if retry_after is not None and retry_after >= 0:
        return round(retry_after + rng.uniform(0, max(base, 0.1 * retry_after)), 3)
    ceiling: float = min(cap, base * 2.0 ** (failures - 1))
    return round(ceiling / 2 + rng.uniform(0, ceiling / 2), 3)


def validation_summary(err: ValidationError, limit: int = 3) -> str:
    """A short, readable account of what failed validation (sent back for repair)."""
    parts = []
    for e in err.errors(include_url=False)[:limit]:
        loc = ".".join(str(p) for p in e["loc"]) or "output"
        parts.append(f"{loc}: {e['msg']}")
    more = err.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)
