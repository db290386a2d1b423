"""Reading Claude's responses for the runner: readable lines from the streamed JSON, a
message's priced usage, and what each SDK or stream failure means as a runner error."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import anthropic
import httpx2
import jiter

from workos_tui.core.engines.base import (
    DelegateFailedError,
    EngineError,
    RunAbortedError,
    TransientError,
)
from workos_tui.core.pricing import estimate_cost
from workos_tui.core.run_models import Usage

READABLE_KEYS = frozenset(
    {
        "decision",
        "title",
        "rationale",
        "reason",
        "summary",
        "findings",
        "unblocking_step",
        "clarification_questions",
    }
)
_SPEND_LIMIT = re.compile(r"spend(ing)? limit|usage limit|credit balance|billing", re.IGNORECASE)


# --- Readable deltas --------------------------------------------------------------


class ReadableJSON:
    """Turns a JSON document arriving in fragments into short lines a person can read:
    `title: ...`, `reason: ...`, each shown once its value is complete."""

    def __init__(self) -> None:
        self._buf = ""
        self._shown: set[tuple[Any, ...]] = set()

    def feed(self, fragment: str) -> list[str]:
        self._buf += fragment
        leaves = self._leaves()
        return self._show(leaves[:-1])  # the last value may still be growing

    def finish(self) -> list[str]:
        return self._show(self._leaves())

    def _leaves(self) -> list[tuple[tuple[Any, ...], str, Any]]:
        if not self._buf.strip():
            return []
        try:
            doc = jiter.from_json(self._buf.encode(), partial_mode="trailing-strings")
        except ValueError:
            return []
        return list(_walk(doc, (), ""))

    def _show(self, leaves: list[tuple[tuple[Any, ...], str, Any]]) -> list[str]:
        lines = []
        for path, key, value in leaves:
            if path in self._shown or key not in READABLE_KEYS:
                continue
            if isinstance(value, str) and value.strip():
                self._shown.add(path)
                text = " ".join(value.split())
                lines.append(f"{key.replace('_', ' ')}: {text[:240]}")
        return lines


def _walk(node: Any, path: tuple[Any, ...], key: str) -> Iterator[tuple[tuple[Any, ...], str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, (*path, k), str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, (*path, i), key)
    else:
        yield path, key, node


# --- Usage ----------------------------------------------------------------------


def usage_of(message: Any, model: str, *, batch: bool = False) -> Usage:
    """A message's token counts, priced for `model` (batch requests cost half)."""
    u = message.usage
    usage = Usage(
        input_tokens=u.input_tokens or 0,
        output_tokens=u.output_tokens or 0,
        cache_creation_input_tokens=u.cache_creation_input_tokens or 0,
        cache_read_input_tokens=u.cache_read_input_tokens or 0,
    )
    return usage.model_copy(update={"cost_usd": estimate_cost(model, usage, batch=batch)})


# --- Errors -----------------------------------------------------------------------


def retry_after_from(headers: httpx2.Headers | None) -> float | None:
    """`retry-after-ms`, else `retry-after`, else the reset time of an exhausted limit."""
    if headers is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        if (ms := headers.get("retry-after-ms")) is not None:
            return max(0.0, float(ms) / 1000)
    with contextlib.suppress(TypeError, ValueError):
        if (seconds := headers.get("retry-after")) is not None:
            return max(0.0, float(seconds))
    for kind in ("requests", "tokens", "input-tokens", "output-tokens"):
        if headers.get(f"anthropic-ratelimit-{kind}-remaining") == "0":
            reset = headers.get(f"anthropic-ratelimit-{kind}-reset")
            with contextlib.suppress(TypeError, ValueError):
                when = dt.datetime.fromisoformat(str(reset).replace("Z", "+00:00"))
                return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
    return None


def requests_remaining(headers: httpx2.Headers | None) -> int | None:
    """The requests the API says it would still take now, when it says."""
    with contextlib.suppress(TypeError, ValueError):
        if headers is not None and (value := headers.get("anthropic-ratelimit-requests-remaining")):
            return max(0, int(value))
    return None


def _remaining_hint(headers: httpx2.Headers | None) -> str:
    if headers is None:
        return ""
    parts = [
        f"{kind} left: {headers[name]}"
        for kind in ("requests", "tokens")
        if (name := f"anthropic-ratelimit-{kind}-remaining") in headers
    ]
    return f" ({', '.join(parts)})" if parts else ""


class SwitchToJSON(Exception):
    """The model refused a forced tool_choice: redo the turn with structured outputs."""


def classify_error(
    e: BaseException,
    usage: Usage,
    *,
    model: str,
    forced_tool: bool,
    reached_server: bool,
    base_url: Callable[[], object],
) -> EngineError | SwitchToJSON:
    """What an exception from the SDK means to the runner. `base_url` is read only for a
    server never reached (reading the engine's client may create it)."""
    if isinstance(e, EngineError):
        return e
    if isinstance(e, anthropic.APIStatusError):
        return _classify_status(e, usage, model=model, forced_tool=forced_tool)
    if isinstance(e, anthropic.APITimeoutError):
        return TransientError("The request to the Anthropic API timed out.", usage=usage)
    if isinstance(e, anthropic.APIConnectionError):
        cause = e.__cause__ or e.__context__
        detail = str(cause).splitlines()[0] if cause and str(cause) else "connection failed"
        if not reached_server:
            return RunAbortedError(
                f"Cannot reach the Anthropic API at {base_url()} ({detail}). "
                "Check your network or ANTHROPIC_BASE_URL."
            )
        return TransientError(f"Connection to the Anthropic API failed: {detail}.", usage=usage)
    if isinstance(e, httpx2.TransportError):
        return TransientError(
            f"The connection dropped mid-stream ({type(e).__name__}).", usage=usage
        )
    if isinstance(e, ValueError):
        return TransientError("The model sent malformed JSON for its answer.", usage=usage)
    return TransientError(
        f"Unexpected error from the Anthropic SDK: {type(e).__name__}.", usage=usage
    )


def _classify_status(
    e: anthropic.APIStatusError, usage: Usage, *, model: str, forced_tool: bool
) -> EngineError | SwitchToJSON:
    status = e.status_code
    kind = e.type or ""
    text = e.api_message or kind or f"HTTP {status}"
    headers = e.response.headers if status != 200 else None
    if status in (401, 403) or kind in ("authentication_error", "permission_error"):
        what = (
            "rejected the API key"
            if status == 401 or kind == "authentication_error"
            else ("refused access")
        )
        return RunAbortedError(
            f"The Anthropic API {what} ({status} {kind or 'error'}): {text}. "
            "Check ANTHROPIC_API_KEY."
        )
    if status == 429 or kind == "rate_limit_error":
        if _SPEND_LIMIT.search(text):
            return DelegateFailedError(f"Spend limit reached: {text}")
        return TransientError(
            f"Rate limited by the Anthropic API{_remaining_hint(headers)}.",
            retry_after=retry_after_from(headers),
            rate_limited=True,
            usage=usage,
        )
    if status == 529 or kind == "overloaded_error":
        return TransientError(
            "The Anthropic API is overloaded"
            + (" (error event mid-stream)." if status == 200 else f" ({status})."),
            retry_after=retry_after_from(headers),
            rate_limited=True,
            usage=usage,
        )
    if status == 400 and "tool_choice" in text and forced_tool:
        return SwitchToJSON()
    if status == 400 and _SPEND_LIMIT.search(text):
        return RunAbortedError(f"The Anthropic account cannot be billed: {text}")
    if status == 404 or kind == "not_found_error":
        return RunAbortedError(f"The model {model!r} was not found ({text}). Check WORKOS_MODEL.")
    if status in (400, 413, 422):
        return DelegateFailedError(f"The Anthropic API rejected the request ({status}): {text}")
    # 408, 409, 5xx, and `error` events inside a 200 stream (api_error and friends).
    where = "mid-stream" if status == 200 else f"({status})"
    return TransientError(
        f"Anthropic API error {where}: {text}",
        retry_after=retry_after_from(headers),
        usage=usage,
    )
