"""Models of a parallel run: the plan, each delegate's strict output, and the proposal.

These are the other half of the contract (with `models.py`) that the CLI's `--json`
output and the MCP server expose. Delegate outputs are strict on purpose: the original
system's troubles all came from loose formats.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from workos_tui.core.models import Category, Priority, Status, utcnow

Operation = Literal["backlog_processing", "task_analysis", "daily_planning"]
OPERATIONS: tuple[Operation, ...] = ("backlog_processing", "task_analysis", "daily_planning")

AnalysisType = Literal["priority", "category", "blockers", "goal_alignment", "time_estimates"]
ANALYSIS_TYPES: tuple[AnalysisType, ...] = (
    "priority",
    "category",
    "blockers",
    "goal_alignment",
    "time_estimates",
)
Perspective = Literal["priority_focus", "momentum", "goal_progress"]
PERSPECTIVES: tuple[Perspective, ...] = ("priority_focus", "momentum", "goal_progress")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- Delegate outputs -------------------------------------------------------------


class BacklogTriage(_Strict):
    """What one delegate decides about one backlog item."""

    item_id: str
    decision: Literal["create_task", "duplicate", "needs_clarification", "not_actionable"]
    duplicate_of: str | None = None
    similarity: float = Field(default=0.0, ge=0.0, le=1.0)
    title: str = Field(default="", max_length=500)
    category: Category = "other"
    priority: Priority = "P2"
    estimate_minutes: int | None = Field(default=None, gt=0, le=100_000)
    due: dt.date | None = None  # when the item says ("by Friday", "before Dec 24")
    clarification_questions: list[str] = Field(default_factory=list)
    rationale: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> BacklogTriage:
        if self.decision == "duplicate" and not self.duplicate_of:
            raise ValueError("decision 'duplicate' needs duplicate_of (the existing task's id)")
        if self.decision == "create_task" and not self.title.strip():
            raise ValueError("decision 'create_task' needs a title")
        if self.decision == "needs_clarification" and not self.clarification_questions:
            raise ValueError("decision 'needs_clarification' needs clarification_questions")
        return self


SuggestionField = Literal["priority", "category", "estimate_minutes", "goal_id", "status"]


class Suggestion(_Strict):
    """A change to one field of one task that an analysis delegate suggests."""

    task_id: str
    field: SuggestionField
    current: str | int | None = None
    suggested: str | int | None = None
    reason: str = ""
    confidence: float = Field(default=0.7, ge=0.0, le=1.0)


class Blocker(_Strict):
    task_id: str
    blocked_by: list[str] = Field(default_factory=list)
    unblocking_step: str = ""


class GoalAlignment(_Strict):
    task_id: str
    goal_id: str | None = None
    score: float = Field(ge=0.0, le=1.0)


class TaskAnalysis(_Strict):
    """One analysis delegate's report. `blockers` and `alignments` are used by their types."""

    analysis_type: AnalysisType
    suggestions: list[Suggestion] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list)
    blockers: list[Blocker] = Field(default_factory=list)
    alignments: list[GoalAlignment] = Field(default_factory=list)


class RankedTask(_Strict):
    task_id: str
    reason: str = ""
    minutes: int = Field(default=30, gt=0, le=24 * 60)


class PlanPerspective(_Strict):
    """One planning delegate's ranking, best first."""

    perspective: Perspective
    ranked: list[RankedTask] = Field(default_factory=list)
    summary: str = ""


# --- The plan -------------------------------------------------------------------


class DelegateSpec(BaseModel):
    """One delegate of a run: what it is told, what it is given, what it must return."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    id: str
    label: str
    instructions: str
    payload: dict[str, Any]
    output_model: type[BaseModel] = Field(exclude=True)

    @property
    def output_name(self) -> str:
        return self.output_model.__name__


class RunPlan(BaseModel):
    """What `prepare_*` returns: the operation, the shared context and the delegates."""

    operation: Operation
    context: dict[str, Any] = Field(default_factory=dict)
    delegates: list[DelegateSpec] = Field(default_factory=list)
    options: dict[str, Any] = Field(default_factory=dict)
    created_at: dt.datetime = Field(default_factory=utcnow)

    def subset(self, delegate_ids: set[str]) -> RunPlan:
        """The same run with only these delegates (to retry some of them)."""
        return self.model_copy(
            update={"delegates": [s for s in self.delegates if s.id in delegate_ids]}
        )


# --- Results and the proposal -----------------------------------------------------


class Usage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cost_usd: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_creation_input_tokens=self.cache_creation_input_tokens
            + other.cache_creation_input_tokens,
            cache_read_input_tokens=self.cache_read_input_tokens + other.cache_read_input_tokens,
            cost_usd=round(self.cost_usd + other.cost_usd, 6),
        )

    @property
    def total_tokens(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_creation_input_tokens
            + self.cache_read_input_tokens
        )


DelegateStatus = Literal["succeeded", "failed", "cancelled"]


class DelegateResult(BaseModel):
    id: str
    label: str
    status: DelegateStatus
    attempts: int = 0
    error: str | None = None
    output: dict[str, Any] | None = None
    usage: Usage = Field(default_factory=Usage)
    elapsed_s: float = 0.0


ActionKind = Literal[
    "create_task",
    "merge_into_task",
    "attach_questions",
    "save_note",
    "set_priority",
    "set_category",
    "set_estimate",
    "link_goal",
    "set_status",
    "plan_day",
]
ACTION_KINDS: tuple[ActionKind, ...] = (
    "create_task",
    "merge_into_task",
    "attach_questions",
    "save_note",
    "set_priority",
    "set_category",
    "set_estimate",
    "link_goal",
    "set_status",
    "plan_day",
)
# What each operation may propose: anything else in a delegate's output is rejected.
ALLOWED_KINDS: dict[Operation, frozenset[ActionKind]] = {
    "backlog_processing": frozenset(
        {"create_task", "merge_into_task", "attach_questions", "save_note"}
    ),
    "task_analysis": frozenset(
        {"set_priority", "set_category", "set_estimate", "link_goal", "set_status"}
    ),
    "daily_planning": frozenset({"plan_day"}),
}


class ProposedAction(BaseModel):
    """One change the person can approve. `changes` holds the fields it sets."""

    id: str
    kind: ActionKind
    task_id: str | None = None
    backlog_item_ids: list[str] = Field(default_factory=list)
    changes: dict[str, Any] = Field(default_factory=dict)
    before: dict[str, Any] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)
    reason: str = ""
    confidence: float | None = None
    selected: bool = True


class FailedDelegate(BaseModel):
    id: str
    label: str
    reason: str


class Proposal(BaseModel):
    id: str = ""
    operation: Operation
    actions: list[ProposedAction] = Field(default_factory=list)
    summary: str = ""
    recommendations: list[str] = Field(default_factory=list)
    failed_delegates: list[FailedDelegate] = Field(default_factory=list)
    created_at: dt.datetime = Field(default_factory=utcnow)

    def action(self, action_id: str) -> ProposedAction:
        for a in self.actions:
            if a.id == action_id:
                return a
        raise KeyError(action_id)

    @property
    def default_selection(self) -> list[str]:
        return [a.id for a in self.actions if a.selected]


class RunReport(BaseModel):
    """A finished run as `workos run --json` prints it."""

    operation: Operation
    engine: str
    concurrency: int
    elapsed_s: float
    delegates: list[DelegateResult]
    proposal: Proposal
    applied: list[str] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    aborted: str | None = None  # why the run stopped early (bad key, unreachable server)


# Status a set_status action may set (analysis only ever marks tasks blocked/unblocked).
SETTABLE_STATUSES: frozenset[Status] = frozenset({"blocked", "todo"})
