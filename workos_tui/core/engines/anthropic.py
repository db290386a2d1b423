"""The anthropic engine: each delegate is a streamed Claude call returning validated structure.

The runner owns retries, backoff and the concurrency window; this engine makes one attempt
and, when it fails, says precisely why (`TransientError` with the server's retry-after,
`DelegateFailedError`, or `RunAbortedError` for faults no delegate can get past). The request
is built in `anthropic_request`, lookups answered in `anthropic_lookups`, and the response read
and its failures classified in `anthropic_response`; this module runs the turns between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anthropic
import httpx2

from workos_tui.core.config import Config
from workos_tui.core.engines.anthropic_lookups import READ_ONLY_TOOL_NAMES, run_lookup
from workos_tui.core.engines.anthropic_request import (
    assistant_blocks,
    build_params,
    repair_messages,
    system_blocks,
    tool_choice,
    uses_forced_tool,
)
from workos_tui.core.engines.anthropic_response import (
    ReadableJSON,
    SwitchToJSON,
    classify_error,
    requests_remaining,
    retry_after_from,
    usage_of,
)
from workos_tui.core.engines.base import (
    Accepted,
    Attempt,
    DelegateFailedError,
    Delta,
    EngineError,
    FinalOutput,
    RunAbortedError,
    TransientError,
)
from workos_tui.core.pricing import approx_tokens
from workos_tui.core.run_models import DelegateSpec, Operation, RunPlan, Usage

# What callers import from here: the engine, and the helpers they use alongside it.
__all__ = [
    "READ_ONLY_TOOL_NAMES",
    "AnthropicEngine",
    "ReadableJSON",
    "build_params",
    "retry_after_from",
    "system_blocks",
    "usage_of",
    "uses_forced_tool",
]

MAX_TOOL_TURNS = 3
MAX_TOKENS_BY_OPERATION: dict[Operation, int] = {
    "backlog_processing": 1024,
    "task_analysis": 4096,
    "daily_planning": 2048,
}
# Below this many prompt tokens the API does not cache, so there is nothing to wait for.
CACHE_PRIME_MIN_TOKENS = 1024
CACHE_PRIME_WAIT_S = 20.0


@dataclass
class _TurnDone:
    message: Any


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The TLS settings httpx would make for each client (CA bundle, SSL_CERT_FILE), made
    once per process: loading the CA bundle was 95 % of a client's start-up, ~50-100 ms,
    paid by every run of the MCP server and the benchmarks (each makes its own engine)."""
    return httpx2.create_ssl_context()


class AnthropicEngine:
    """Runs delegates as Claude calls through one shared `AsyncAnthropic` client."""

    name = "anthropic"
    # Behind a rate-limited API: the runner opens its window with a slow start.
    slow_start = True

    def __init__(
        self,
        *,
        store: Any = None,
        config: Config,
        client: anthropic.AsyncAnthropic | None = None,
        max_tokens: int | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.model = config.resolved_model()
        self._client = client
        self._owns_client = client is None
        self._max_tokens = max_tokens
        self._json_models: set[str] = set()
        self._reached_server = False
        self._primers: dict[int, asyncio.Event] = {}
        self._secret = config.resolved_api_key() or ""
        self.cache_prime_min_tokens = CACHE_PRIME_MIN_TOKENS

    @property
    def label(self) -> str:
        return self.model

    @property
    def client(self) -> anthropic.AsyncAnthropic:
        if self._client is None:
            key = self.config.resolved_api_key()
            if not key:
                raise RunAbortedError(
                    "No Anthropic API key: set ANTHROPIC_API_KEY (or api_key in config.toml), "
                    "or use --engine offline."
                )
            # The runner retries with jitter and adapts its window; the SDK's own retries
            # wait exactly retry-after, so every delegate would collide again at once.
            self._client = anthropic.AsyncAnthropic(
                api_key=key,
                max_retries=0,
                timeout=httpx2.Timeout(self.config.delegate_timeout_s + 10, connect=10.0),
                http_client=anthropic.DefaultAsyncHttpxClient(verify=_tls_context()),
            )
        return self._client

    async def aclose(self) -> None:
        self._primers.clear()
        if self._client is not None and self._owns_client:
            await self._client.close()
            self._client = None

    def max_tokens_for(self, plan: RunPlan) -> int:
        return self._max_tokens or MAX_TOKENS_BY_OPERATION.get(plan.operation, 2048)

    def forced_tool(self) -> bool:
        return uses_forced_tool(self.model) and self.model not in self._json_models

    # -- one attempt ---------------------------------------------------------------

    async def stream(
        self, spec: DelegateSpec, plan: RunPlan, attempt: Attempt
    ) -> AsyncIterator[Accepted | Delta | FinalOutput]:
        for _ in range(2):
            try:
                async for item in self._attempt(spec, plan, attempt):
                    yield item
                return
            except SwitchToJSON:
                self._json_models.add(self.model)
                yield Delta(f"{self.model} takes no forced tool; asking for structured output")

    async def _attempt(
        self, spec: DelegateSpec, plan: RunPlan, attempt: Attempt
    ) -> AsyncIterator[Accepted | Delta | FinalOutput]:
        usage = Usage()
        forced = self.forced_tool()
        lookups = self.store is not None
        params = build_params(
            spec,
            plan,
            model=self.model,
            max_tokens=self.max_tokens_for(plan),
            forced_tool=forced,
            lookups=lookups,
        )
        messages: list[dict[str, Any]] = params["messages"]
        if attempt.repair is not None:
            messages += repair_messages(spec, attempt, forced_tool=forced)
            params["tool_choice"] = tool_choice(spec, forced_tool=forced, lookups_left=False)
            if not forced and not lookups:
                params.pop("tool_choice")
            yield Delta("repairing: " + attempt.repair.error.splitlines()[0][:200])
        await self._wait_for_cache(plan, params)
        lookups_used = 0
        while True:
            message = None
            async for item in self._turn(params, usage, plan):
                if isinstance(item, _TurnDone):
                    message = item.message
                elif isinstance(item, Usage):
                    usage = item
                else:
                    yield item
            assert message is not None
            stop = message.stop_reason
            if stop is None:
                raise TransientError("The response stream ended early.", usage=usage)
            if stop == "max_tokens":
                raise TransientError(
                    f"The answer was cut off at max_tokens ({params['max_tokens']}).", usage=usage
                )
            if stop == "refusal":
                raise DelegateFailedError("The model declined to answer this item.")
            calls = [b for b in message.content if b.type == "tool_use"]
            answer = next((b for b in calls if b.name == spec.output_name), None)
            if answer is not None:
                yield FinalOutput(output=dict(answer.input), usage=usage)
                return
            lookups_calls = [b for b in calls if b.name in READ_ONLY_TOOL_NAMES]
            if lookups_calls and lookups_used < MAX_TOOL_TURNS:
                lookups_used += 1
                results = []
                for call in lookups_calls:
                    args = call.input if isinstance(call.input, dict) else {}
                    shown = ", ".join(f"{v}" for v in args.values())
                    yield Delta(f"looking up: {call.name}({shown[:80]})")
                    content = run_lookup(self.store, call.name, args)
                    results.append(
                        {"type": "tool_result", "tool_use_id": call.id, "content": content}
                    )
                messages.append({"role": "assistant", "content": assistant_blocks(message.content)})
                messages.append({"role": "user", "content": results})
                left = lookups_used < MAX_TOOL_TURNS
                params["tool_choice"] = tool_choice(spec, forced_tool=forced, lookups_left=left)
                continue
            if not forced:
                text = "".join(b.text for b in message.content if b.type == "text").strip()
                try:
                    output = json.loads(text)
                except ValueError:
                    raise TransientError(
                        "The model's answer was not valid JSON.", usage=usage
                    ) from None
                if not isinstance(output, dict):
                    raise TransientError("The model's answer was not a JSON object.", usage=usage)
                yield FinalOutput(output=output, usage=usage)
                return
            raise TransientError("The model answered without calling the output tool.", usage=usage)

    async def _turn(
        self, params: dict[str, Any], usage: Usage, plan: RunPlan
    ) -> AsyncIterator[Accepted | Delta | Usage | _TurnDone]:
        """One streamed request; yields readable deltas, the running usage, then the message."""
        readable = ReadableJSON()
        primer = self._primers.get(id(plan))
        stream_cm = self.client.messages.stream(**params)
        base = usage
        snapshot: Any = None
        try:
            async with stream_cm as stream:
                self._reached_server = True
                yield Accepted(requests_remaining(stream.response.headers))
                async for event in stream:
                    if event.type == "message_start" and primer is not None:
                        primer.set()
                    if event.type in ("input_json", "text"):
                        fragment = event.partial_json if event.type == "input_json" else event.text
                        for line in readable.feed(fragment):
                            yield Delta(line)
                    elif event.type == "content_block_stop":
                        for line in readable.finish():
                            yield Delta(line)
                        readable = ReadableJSON()
                    with contextlib.suppress(AssertionError):
                        snapshot = stream.current_message_snapshot
                message = await stream.get_final_message()
        except asyncio.CancelledError:
            raise
        except Exception as e:
            partial = base + self._usage(snapshot) if snapshot is not None else base
            error = self.classify(e, partial)
            if isinstance(error, EngineError):
                error.reason = self._redact(error.reason)
                error.args = (error.reason,)
            raise error from None
        finally:
            if primer is not None:
                primer.set()
        usage = base + self._usage(message)
        yield usage
        yield _TurnDone(message)

    async def _wait_for_cache(self, plan: RunPlan, params: dict[str, Any]) -> None:
        """Let the first delegate of a run write the shared prefix to the prompt cache
        before the others send it, so they read it (0.1x) instead of writing it (1.25x)."""
        key = id(plan)
        event = self._primers.get(key)
        if event is None:
            prefix = approx_tokens(params.get("tools", [])) + approx_tokens(params["system"])
            self._primers[key] = event = asyncio.Event()
            if prefix < self.cache_prime_min_tokens:
                event.set()
            return
        if not event.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), CACHE_PRIME_WAIT_S)

    def _usage(self, message: Any) -> Usage:
        return usage_of(message, self.model)

    # -- classification ----------------------------------------------------------------

    def classify(self, e: BaseException, usage: Usage) -> EngineError | SwitchToJSON:
        """What an SDK failure means to the runner (the batch path asks too)."""
        return classify_error(
            e,
            usage,
            model=self.model,
            forced_tool=self.forced_tool(),
            reached_server=self._reached_server,
            base_url=lambda: self.client.base_url,
        )

    def _redact(self, text: str) -> str:
        return text.replace(self._secret, "[redacted]") if self._secret else text
