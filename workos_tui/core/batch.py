"""Large runs through the Message Batches API: half price, results within hours.

`submit_batch` sends every delegate of a plan as one batch and remembers it (with the plan)
in the workspace's `runs` table; later `collect_batch` fetches the results as
`DelegateResult`s for the normal approval flow.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from typing import Any

import anthropic
from pydantic import BaseModel, ValidationError

from workos_tui.core import run_models
from workos_tui.core.config import Config
from workos_tui.core.engines.anthropic import (
    AnthropicEngine,
    build_params,
    usage_of,
    uses_forced_tool,
)
from workos_tui.core.engines.base import EngineError
from workos_tui.core.models import BatchRun
from workos_tui.core.run_models import DelegateResult, RunPlan, Usage
from workos_tui.core.store import Store


class BatchError(Exception):
    """A batch that cannot be found or read; the message is one line."""


def load_batches(store: Store) -> dict[str, dict[str, Any]]:
    """Every batch this workspace submitted, by batch id."""
    store.refresh()
    return {r.batch_id: r.model_dump(mode="json") for r in store.runs()}


def _save_batch(store: Store, batch_id: str, record: dict[str, Any]) -> None:
    with store.transaction(f"{record.get('state', 'save')} batch {batch_id}"):
        existing = next((r for r in store.runs() if r.batch_id == batch_id), None)
        fields = {k: v for k, v in record.items() if k not in {"id", "batch_id"}}
        run = BatchRun.model_validate(
            {**fields, "batch_id": batch_id, "id": existing.id if existing else ""}
        )
        store.put(run)


def _custom_id(index: int, delegate_id: str) -> str:
    # The API accepts 1-64 characters of [A-Za-z0-9_-]; the index keeps them unique.
    return f"d{index}-{re.sub(r'[^A-Za-z0-9_-]', '_', delegate_id)}"[:64]


def _engine(config: Config, client: anthropic.AsyncAnthropic | None) -> AnthropicEngine:
    return AnthropicEngine(config=config, client=client)


async def submit_batch(
    store: Store,
    plan: RunPlan,
    config: Config,
    *,
    client: anthropic.AsyncAnthropic | None = None,
) -> str:
    """Send every delegate of `plan` as one batch; returns the batch id (also stored)."""
    engine = _engine(config, client)
    model = engine.model
    forced = uses_forced_tool(model)
    custom_ids: dict[str, str] = {}
    requests = []
    for i, spec in enumerate(plan.delegates):
        cid = _custom_id(i, spec.id)
        custom_ids[cid] = spec.id
        params = build_params(
            spec,
            plan,
            model=model,
            max_tokens=engine.max_tokens_for(plan),
            forced_tool=forced,
            lookups=False,  # a batch request cannot come back for a lookup
        )
        requests.append({"custom_id": cid, "params": params})
    try:
        batch = await engine.client.messages.batches.create(requests=requests)  # type: ignore[arg-type]
    except Exception as e:
        raise engine.classify(e, Usage()) from None
    finally:
        await engine.aclose()
    _save_batch(
        store,
        batch.id,
        {
            "state": "submitted",
            "submitted_at": dt.datetime.now(dt.UTC),
            "model": model,
            "operation": plan.operation,
            "custom_ids": custom_ids,
            "outputs": {s.id: s.output_name for s in plan.delegates},
            "plan": plan.model_dump(mode="json"),
        },
    )
    return batch.id


def load_batch_plan(store: Store, batch_id: str) -> RunPlan:
    """The plan a batch was submitted with (to aggregate its results)."""
    record = load_batches(store).get(batch_id)
    if record is None:
        raise BatchError(f"no batch {batch_id!r} in this workspace")
    data = dict(record["plan"])
    outputs: dict[str, str] = record["outputs"]
    data["delegates"] = [
        {**d, "output_model": _output_model(outputs[d["id"]])} for d in data["delegates"]
    ]
    return RunPlan.model_validate(data)


def _output_model(name: str) -> type[BaseModel]:
    model = getattr(run_models, name, None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise BatchError(f"unknown delegate output {name!r}")
    return model


async def collect_batch(
    store: Store,
    batch_id: str,
    config: Config,
    *,
    client: anthropic.AsyncAnthropic | None = None,
) -> list[DelegateResult] | None:
    """The results of a batch in plan order, or None while it is still processing."""
    plan = load_batch_plan(store, batch_id)
    record = load_batches(store)[batch_id]
    engine = _engine(config, client)
    model = str(record.get("model") or engine.model)
    try:
        batch = await engine.client.messages.batches.retrieve(batch_id)
        if batch.processing_status != "ended":
            return None
        lines = [line async for line in await engine.client.messages.batches.results(batch_id)]
    except EngineError:
        raise
    except Exception as e:
        raise engine.classify(e, Usage()) from None
    finally:
        await engine.aclose()
    by_delegate: dict[str, DelegateResult] = {}
    specs = {s.id: s for s in plan.delegates}
    for line in lines:
        delegate_id = record["custom_ids"].get(line.custom_id)
        if delegate_id not in specs:
            continue
        by_delegate[delegate_id] = _result(specs[delegate_id], line.result, model)
    results = [
        by_delegate.get(s.id)
        or DelegateResult(
            id=s.id, label=s.label, status="failed", error="missing from the batch results"
        )
        for s in plan.delegates
    ]
    _save_batch(store, batch_id, {**record, "state": "collected"})
    return results


def _result(spec: run_models.DelegateSpec, result: Any, model: str) -> DelegateResult:
    if result.type != "succeeded":
        error = getattr(getattr(result, "error", None), "error", None)
        reason = getattr(error, "message", None) or f"batch request {result.type}"
        return DelegateResult(id=spec.id, label=spec.label, status="failed", error=str(reason))
    message = result.message
    usage = usage_of(message, model, batch=True)
    raw: Any = None
    for block in message.content:
        if block.type == "tool_use" and block.name == spec.output_name:
            raw = block.input
        elif block.type == "text" and raw is None:
            with contextlib.suppress(ValueError):
                raw = json.loads(block.text)
    base = {"id": spec.id, "label": spec.label, "attempts": 1, "usage": usage}
    if not isinstance(raw, dict):
        return DelegateResult(
            **base, status="failed", error="the batch answer had no structured output"
        )
    try:
        output = spec.output_model.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or spec.output_name
        return DelegateResult(
            **base, status="failed", error=f"invalid output: {where}: {first['msg']}"
        )
    return DelegateResult(**base, status="succeeded", output=output.model_dump(mode="json"))
