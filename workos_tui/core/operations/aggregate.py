"""aggregate: merge the delegates' validated outputs into one `Proposal`.

The aggregator is the security boundary between model output and the workspace: it only
emits the action kinds its operation allows (`ALLOWED_KINDS`) and only for task and goal
ids that were in the delegate's own input. Anything else is rejected and reported in the
summary, as are failed delegates: nothing is dropped silently.

The checks every operation shares live in `aggregate_gate`; each operation's merger in
`aggregate_backlog`, `aggregate_analysis` and `aggregate_planning`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from workos_tui.core.matching import STRONG_DUPLICATE_THRESHOLD
from workos_tui.core.operations.aggregate_analysis import merge_analysis
from workos_tui.core.operations.aggregate_backlog import merge_backlog
from workos_tui.core.operations.aggregate_gate import Collector
from workos_tui.core.operations.aggregate_planning import merge_planning
from workos_tui.core.run_models import (
    DelegateResult,
    DelegateSpec,
    FailedDelegate,
    Proposal,
    RunPlan,
)
from workos_tui.core.wording import plural


def aggregate(plan: RunPlan, results: list[DelegateResult]) -> Proposal:
    """One proposal from a run's results (in any order; several per delegate allowed)."""
    out = Collector(plan)
    specs = {s.id: s for s in plan.delegates}
    failed: list[FailedDelegate] = []
    ok: list[tuple[DelegateResult, DelegateSpec]] = []
    for r in results:
        spec = specs.get(r.id)
        if spec is None:
            out.rejected.append(f"result for unknown delegate {r.id!r}")
        elif r.status != "succeeded":
            reason = r.error or ("cancelled" if r.status == "cancelled" else "failed")
            failed.append(FailedDelegate(id=r.id, label=r.label or spec.label, reason=reason))
        else:
            ok.append((r, spec))
    if plan.operation == "backlog_processing":
        headline = merge_backlog(plan, ok, out)
    elif plan.operation == "task_analysis":
        headline = merge_analysis(plan, ok, out)
    else:
        headline = merge_planning(plan, ok, out)
    for a in out.actions:
        if a.kind == "merge_into_task" and (a.confidence or 0.0) < STRONG_DUPLICATE_THRESHOLD:
            a.selected = False
    parts = [headline]
    if failed:
        listed = "; ".join(f"{f.label} ({f.reason})" for f in failed)
        parts.append(f"{plural(len(failed), 'delegate')} failed: {listed}.")
    if out.rejected:
        parts.append(f"Rejected {len(out.rejected)}: " + "; ".join(out.rejected) + ".")
    return Proposal(
        id=f"P{uuid.uuid4().hex[:8]}",
        operation=plan.operation,
        actions=out.actions,
        summary=" ".join(parts),
        recommendations=out.recommendations,
        failed_delegates=failed,
    )


def selected_ids(proposal: Proposal, ids: Iterable[str] | None) -> list[str]:
    """`ids` in proposal order (None: the default selection); unknown ids are an error."""
    if ids is None:
        return proposal.default_selection
    wanted = list(dict.fromkeys(ids))
    known = {a.id for a in proposal.actions}
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise KeyError(f"no action {', '.join(unknown)} in this proposal")
    chosen = set(wanted)
    return [a.id for a in proposal.actions if a.id in chosen]
