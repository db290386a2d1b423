"""What the original's prepare_parallel_* tools told an assistant's delegates: what to
check, and what each one returns. Text only, kept in the original's words.
"""

from __future__ import annotations

from workos_tui.core.models import CATEGORIES

BACKLOG_DELEGATE_TASK = (
    "Analyze this backlog item for duplicate detection, categorization, and task creation"
)
BACKLOG_CHECKS = (
    "Similarity to existing tasks (flag if >60% similar)",
    "Ambiguity (flag if too vague)",
    f"Appropriate category ({', '.join(CATEGORIES)})",
    "Suggested priority (P0-P3)",
    "Estimated time in minutes",
)
LOOSE_BACKLOG_FORMAT = {
    "item": "original item text",
    "item_id": "the item's id from item_ids (optional; matched by text when missing)",
    "is_duplicate": "boolean",
    "similar_to": "list of similar task titles (or ids)",
    "is_ambiguous": "boolean",
    "clarification_needed": "list of questions if ambiguous",
    "suggested_category": "category",
    "suggested_priority": "P0-P3",
    "estimated_time": "minutes",
    "ready_to_create": "boolean",
}
ANALYSIS_OUTPUTS = {
    "priority": "Priority balance assessment, overload warnings, recommendations",
    "category": "Category distribution, time estimates by category, balance recommendations",
    "blockers": "Blocker summary, suggested actions to unblock, task dependencies",
    "goal_alignment": "Goal alignment score, tasks not supporting goals, recommendations",
    "time_estimates": "Total workload hours, realistic completion timeline, overcommitment "
    "warnings",
}
PLANNING_OUTPUTS = {
    "priority_focus": "Top 3 tasks to focus on today with reasoning",
    "momentum": "Tasks to continue, quick wins, momentum opportunities",
    "goal_progress": "Goal-aligned task recommendations",
}
ACCEPTED_RESULT_FORMS = (
    "Each delegate result may be the loose format above, the strict schema, or either one "
    'wrapped as {"identifier": ..., "result": ...}.'
)
