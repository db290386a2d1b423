"""What a run costs: a small price table per model family and estimates from token counts.

Prices are USD per million tokens from the public pricing page (checked 2026-12). A 5-minute
prompt-cache write costs 1.25x input; a cache read costs a per-model fraction of input (0.1x
for most models, less for the newest); the Message Batches API halves everything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from workos_tui.core.run_models import Operation, RunPlan, Usage

CACHE_WRITE_MULTIPLIER = 1.25
BATCH_DISCOUNT = 0.5
# Output tokens one delegate typically writes, by operation (tool input JSON plus a little).
TYPICAL_OUTPUT_TOKENS: dict[Operation, int] = {
    "backlog_processing": 350,
    "task_analysis": 1500,
    "daily_planning": 900,
}
# The fixed instructions and tool schemas every request carries besides the plan's context.
PROMPT_OVERHEAD_TOKENS = 900


@dataclass(frozen=True, slots=True)
class Price:
    input: float  # USD per million input tokens
    output: float
    cache_read_multiplier: float = 0.1
    # Haiku 5.5 charges 5x on every token of a request whose prompt exceeds this many tokens.
    long_prompt_threshold: int | None = None
    long_prompt_multiplier: float = 1.0

    @property
    def cache_write(self) -> float:
        return self.input * CACHE_WRITE_MULTIPLIER

    @property
    def cache_read(self) -> float:
        return self.input * self.cache_read_multiplier


# Model id prefixes; the longest prefix that ends at a "-" (or the end) wins, so a dated
# snapshot like "claude-sonnet-5-20260630" is priced as Sonnet 5, never as Sonnet 5.5.
PRICES: dict[str, Price] = {
    "claude-fable-5-2": Price(8.0, 40.0, 0.025),
    "claude-mythos-5-2": Price(8.0, 40.0, 0.025),
    "claude-fable-5-1": Price(10.0, 50.0, 0.025),
    "claude-mythos-5-1": Price(10.0, 50.0, 0.025),
    "claude-fable-5": Price(10.0, 50.0),
    "claude-mythos-5": Price(10.0, 50.0),
    "claude-opus-5-5": Price(4.0, 20.0, 0.05),
    "claude-opus-5": Price(5.0, 25.0),
    "claude-opus-4-5": Price(5.0, 25.0),
    "claude-opus-4-6": Price(5.0, 25.0),
    "claude-opus-4-7": Price(5.0, 25.0),
    "claude-opus-4-8": Price(5.0, 25.0),
    "claude-opus-4": Price(15.0, 75.0),
    "claude-sonnet-5-5": Price(2.0, 10.0, 0.05),
    "claude-sonnet-5": Price(2.0, 10.0),
    "claude-sonnet-4": Price(3.0, 15.0),
    "claude-haiku-5-5": Price(
        0.10, 0.50, 0.1, long_prompt_threshold=100_000, long_prompt_multiplier=5.0
    ),
    "claude-haiku-4-5": Price(1.0, 5.0),
    "claude-3-5-haiku": Price(0.80, 4.0),
}
# An unknown id is priced by its family at the current generation's rate (never at $0).
FAMILY_FALLBACK: dict[str, str] = {
    "fable": "claude-fable-5-2",
    "mythos": "claude-mythos-5-2",
    "opus": "claude-opus-5-5",
    "sonnet": "claude-sonnet-5-5",
    "haiku": "claude-haiku-5-5",
}
DEFAULT_PRICE_KEY = "claude-sonnet-5-5"


def price_for(model: str) -> Price:
    model = model.strip().lower().split("[", 1)[0]
    best: str | None = None
    for key in PRICES:
        if (model == key or model.startswith(key + "-")) and (best is None or len(key) > len(best)):
            best = key
    if best is None:
        family = next((k for k in FAMILY_FALLBACK if k in model), None)
        best = FAMILY_FALLBACK[family] if family else DEFAULT_PRICE_KEY
    return PRICES[best]


def estimate_cost(model: str, usage: Usage, *, batch: bool = False) -> float:
    """The cost in USD of one request's (or a sum of requests') usage."""
    price = price_for(model)
    prompt = usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens
    scale = 1.0
    if price.long_prompt_threshold is not None and prompt > price.long_prompt_threshold:
        scale = price.long_prompt_multiplier
    dollars = (
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_creation_input_tokens * price.cache_write
        + usage.cache_read_input_tokens * price.cache_read
    ) / 1_000_000
    if batch:
        dollars *= BATCH_DISCOUNT
    return round(dollars * scale, 6)


def approx_tokens(value: object) -> int:
    """A rough count (4 characters a token) that is good enough to ask "is this run costly?"."""
    text = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    return max(1, len(text) // 4)


def estimate_run_cost(plan: RunPlan, model: str, *, batch: bool = False) -> float:
    """What a plan is likely to cost: the shared context is written to the prompt cache
    once and read by every other delegate; each delegate adds its own input and output."""
    if not plan.delegates:
        return 0.0
    shared = PROMPT_OVERHEAD_TOKENS + approx_tokens(plan.context)
    output = TYPICAL_OUTPUT_TOKENS.get(plan.operation, 800)
    total = Usage()
    for i, spec in enumerate(plan.delegates):
        total = total + Usage(
            input_tokens=approx_tokens(spec.instructions) + approx_tokens(spec.payload),
            output_tokens=output,
            cache_creation_input_tokens=shared if i == 0 else 0,
            cache_read_input_tokens=shared if i > 0 else 0,
        )
    return estimate_cost(model, total, batch=batch)
