"""The gate every aggregation passes through: a delegate's own, valid answers, its scope.

A delegate may only name the task and goal ids in its own input (`scope_ids`), and its
output counts only when it validates and answers its own question (`own_answers`). The
`Collector` emits only the action kinds the operation allows; what fails is kept as a
rejection for the summary, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from workos_tui.core.run_models import (
    ALLOWED_KINDS,
    ActionKind,
    BacklogTriage,
    DelegateResult,
    DelegateSpec,
    PlanPerspective,
    ProposedAction,
    RunPlan,
    TaskAnalysis,
)

# Kinds never selected by default (none of today's kinds deletes anything; kept as the
# one place to say so when one does).
DESTRUCTIVE_KINDS: frozenset[str] = frozenset()


class Collector:
    """Builds the proposal's actions ("A1", "A2", ...) and its notes."""

    def __init__(self, plan: RunPlan) -> None:
        self.plan = plan
        self.allowed = ALLOWED_KINDS[plan.operation]
        self.actions: list[ProposedAction] = []
        self.rejected: list[str] = []
        self.recommendations: list[str] = []

    def add(self, kind: ActionKind, **fields: Any) -> ProposedAction | None:
        if kind not in self.allowed:
            self.rejected.append(f"{kind} is not allowed in {self.plan.operation}")
            return None
        action = ProposedAction(id=f"A{len(self.actions) + 1}", kind=kind, **fields)
        if kind in DESTRUCTIVE_KINDS:
            action.selected = False
        self.actions.append(action)
        return action

    def recommend(self, text: str) -> None:
        text = " ".join(text.split())
        if text and text not in self.recommendations:
            self.recommendations.append(text)


def _dicts(spec: DelegateSpec, context: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    """Every dict in a delegate's payload and the shared context's open tasks."""
    stack: list[Any] = [(context or {}).get("open_tasks", []), spec.payload]  # payload first
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            yield value
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))


def scope_ids(spec: DelegateSpec, context: dict[str, Any] | None = None) -> set[str]:
    """Every id in a delegate's payload (and the shared context's open tasks)."""
    found: set[str] = set()
    for d in _dicts(spec, context):
        for key, v in d.items():
            if key in {"id", "task_id", "goal_id"} and isinstance(v, str):
                found.add(v)
            elif key in {"depends_on", "waiting_on", "blocked_by"} and isinstance(v, list):
                found.update(x for x in v if isinstance(x, str))
    return found


def task_briefs(
    spec: DelegateSpec, context: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """Task dicts (id starting with T) found in a payload, first occurrence wins."""
    briefs: dict[str, dict[str, Any]] = {}
    for d in _dicts(spec, context):
        vid = d.get("id")
        if isinstance(vid, str) and vid.startswith("T") and "title" in d:
            briefs.setdefault(vid, d)
    return briefs


def _validated(
    result: DelegateResult, spec: DelegateSpec, model: type[BaseModel], out: Collector
) -> Any:
    try:
        return model.model_validate(result.output or {})
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "output"
        out.rejected.append(f"{spec.label}: output rejected ({where}: {first['msg']})")
        return None


M = TypeVar("M", BacklogTriage, TaskAnalysis, PlanPerspective)


def own_answers(
    ok: list[tuple[DelegateResult, DelegateSpec]],
    model: type[M],
    field: str,
    noun: str,
    out: Collector,
    expected_of: Callable[[DelegateSpec], Any] | None = None,
) -> Iterator[tuple[M, DelegateSpec]]:
    """Valid outputs that answer their own delegate's question (its backlog item, analysis
    type or perspective); the others are rejected with the reason."""
    for result, spec in ok:
        answer = _validated(result, spec, model, out)
        if answer is None:
            continue
        got = getattr(answer, field)
        expected = expected_of(spec) if expected_of else spec.payload.get(field)
        if expected and got != expected:
            out.rejected.append(
                f"{spec.label}: answered about {got!r}, not its own {noun} {expected!r}"
            )
            continue
        yield answer, spec
