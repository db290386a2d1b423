"""A deterministic engine for tests and benchmarks: you script what each delegate does.

    engine = ScriptedEngine(
        default=Script(latency=0.01, deltas=["reading", "deciding"]),
        scripts={"B3": Script(attempts=["rate_limited", "ok"]), "B7": Script(attempts=["hang"])},
    )

Each attempt of a delegate follows `Script.attempts[n - 1]` (past the end: "ok"):
"ok", "transient", "rate_limited", "invalid" (an output that fails validation), "hang"
(never finishes), "no_output" (ends without a FinalOutput), "fail" (DelegateFailedError),
"abort" (RunAbortedError), or an exception instance to raise. Outputs default to a valid
minimal output for the spec's model; `Script.output` (a dict or a function of the spec)
overrides it. The engine records what happened so tests can assert on it.

Core-only on purpose (no pytest import): the TUI tests and `benchmarks/` reuse it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from workos_tui.core.engines.base import (
    Attempt,
    DelegateFailedError,
    Delta,
    FinalOutput,
    RunAbortedError,
    TransientError,
)
from workos_tui.core.run_models import DelegateSpec, RunPlan, Usage

OutputSource = dict[str, Any] | Callable[[DelegateSpec], dict[str, Any]]


@dataclass
class Script:
    latency: float = 0.0  # seconds per attempt, spread evenly over the deltas
    deltas: list[str] = field(default_factory=list)
    output: OutputSource | None = None
    attempts: list[str | BaseException] = field(default_factory=list)
    retry_after: float | None = None  # for "transient" / "rate_limited"
    usage: Usage = field(default_factory=lambda: Usage(input_tokens=100, output_tokens=20))


def default_output(spec: DelegateSpec) -> dict[str, Any]:
    """A minimal output that validates against the spec's model."""
    payload = spec.payload
    name = spec.output_model.__name__
    if name == "BacklogTriage":
        item = payload.get("item", {})
        return {
            "item_id": item.get("id", spec.id),
            "decision": "create_task",
            "title": str(item.get("text", spec.label))[:500] or spec.label,
            "rationale": "scripted",
        }
    if name == "TaskAnalysis":
        return {"analysis_type": payload.get("analysis_type", spec.id), "findings": ["scripted"]}
    if name == "PlanPerspective":
        return {"perspective": payload.get("perspective", spec.id), "ranked": []}
    return {}


class ScriptedEngine:
    name = "scripted"

    def __init__(
        self,
        scripts: dict[str, Script] | None = None,
        *,
        default: Script | None = None,
        label: str = "scripted",
    ) -> None:
        self.scripts = scripts or {}
        self.default = default or Script()
        self._label = label
        self.in_flight = 0
        self.max_in_flight = 0
        self.calls: list[tuple[str, int]] = []  # (delegate id, attempt number), in start order
        self.repairs: dict[str, str] = {}  # delegate id -> the error sent back for repair
        self.started_at: dict[str, float] = {}  # first attempt's start (perf_counter)
        self.finished_at: dict[str, float] = {}
        self.closed_streams = 0  # streams that ended by cancellation
        self.aclosed = 0

    @property
    def label(self) -> str:
        return self._label

    def script_for(self, delegate_id: str) -> Script:
        return self.scripts.get(delegate_id, self.default)

    async def aclose(self) -> None:
        self.aclosed += 1

    async def stream(
        self, spec: DelegateSpec, plan: RunPlan, attempt: Attempt
    ) -> AsyncIterator[Delta | FinalOutput]:
        script = self.script_for(spec.id)
        behaviour: str | BaseException = "ok"
        if attempt.number <= len(script.attempts):
            behaviour = script.attempts[attempt.number - 1]
        if attempt.repair is not None:
            self.repairs[spec.id] = attempt.repair.error
        self.calls.append((spec.id, attempt.number))
        self.started_at.setdefault(spec.id, time.perf_counter())
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            steps = max(1, len(script.deltas))
            pause = script.latency / (steps + 1) if script.latency else 0.0
            for text in script.deltas:
                if pause:
                    await asyncio.sleep(pause)
                yield Delta(text)
            if pause:
                await asyncio.sleep(pause)
            elif script.latency == 0 and not script.deltas:
                await asyncio.sleep(0)
            if isinstance(behaviour, BaseException):
                raise behaviour
            if behaviour == "hang":
                await asyncio.Event().wait()
            if behaviour == "transient":
                raise TransientError("server overloaded", retry_after=script.retry_after)
            if behaviour == "rate_limited":
                raise TransientError(
                    "rate limited", retry_after=script.retry_after, rate_limited=True
                )
            if behaviour == "fail":
                raise DelegateFailedError("spend limit reached")
            if behaviour == "abort":
                raise RunAbortedError("invalid API key")
            if behaviour == "no_output":
                return
            if behaviour == "invalid":
                yield FinalOutput({"unexpected": True}, script.usage)
                return
            source = script.output
            if source is None:
                output = default_output(spec)
            elif callable(source):
                output = source(spec)
            else:
                output = dict(source)
            yield FinalOutput(output, script.usage)
        except (asyncio.CancelledError, GeneratorExit):
            self.closed_streams += 1
            raise
        finally:
            self.in_flight -= 1
            self.finished_at[spec.id] = time.perf_counter()
