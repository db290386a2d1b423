"""The read-only lookup tools a delegate may call, answered from the store; there are no
write tools, so nothing a model asks for can change the workspace."""

from __future__ import annotations

import json
import re
from typing import Any

READ_ONLY_TOOLS: list[dict[str, Any]] = [
    {
        "name": "search_tasks",
        "description": "Search the workspace's tasks by words in their title, description "
        "or tags. Returns up to 10 tasks (id, title, status, priority, category).",
        "input_schema": {
            "type": "object",
            "properties": {"query": {"type": "string", "description": "Words to look for."}},
            "required": ["query"],
        },
    },
    {
        "name": "get_task",
        "description": "Get one task with all its fields by id (e.g. T12).",
        "input_schema": {
            "type": "object",
            "properties": {"id": {"type": "string"}},
            "required": ["id"],
        },
    },
    {
        "name": "list_goals",
        "description": "List the workspace's goals (id, title, status, target date).",
        "input_schema": {"type": "object", "properties": {}},
    },
    {
        "name": "search_notes",
        "description": "Search the knowledge notes by words in their title, body or tags. "
        "Returns up to 5 notes with the start of their body.",
        "input_schema": {
            "type": "object",
            "properties": {"query": {"type": "string"}},
            "required": ["query"],
        },
    },
]
READ_ONLY_TOOL_NAMES = frozenset(t["name"] for t in READ_ONLY_TOOLS)


def run_lookup(store: Any, name: str, args: dict[str, Any]) -> str:
    """Answer a read-only tool call from the store. Never writes; errors come back as text."""
    try:
        if name == "search_tasks":
            words = _words(str(args.get("query", "")))
            hits = [
                t
                for t in store.tasks()
                if words & _words(" ".join([t.title, t.description, *t.tags]))
            ][:10]
            return _dumps(
                [
                    {
                        "id": t.id,
                        "title": t.title,
                        "status": t.status,
                        "priority": t.priority,
                        "category": t.category,
                    }
                    for t in hits
                ]
            )
        if name == "get_task":
            task = store.get_task(str(args.get("id", "")))
            return _dumps(task.model_dump(mode="json", exclude={"extra", "external_ids"}))
        if name == "list_goals":
            return _dumps(
                [
                    {"id": g.id, "title": g.title, "status": g.status, "target_date": g.target_date}
                    for g in store.goals()
                ]
            )
        if name == "search_notes":
            words = _words(str(args.get("query", "")))
            notes = [
                n for n in store.notes() if words & _words(" ".join([n.title, n.body, *n.tags]))
            ]
            return _dumps([{"id": n.id, "title": n.title, "body": n.body[:400]} for n in notes[:5]])
    except Exception as e:  # a lookup that fails is information for the model, not a crash
        return f"error: {str(e).splitlines()[0] if str(e) else type(e).__name__}"
    return f"error: no tool named {name!r}"


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) > 2}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
