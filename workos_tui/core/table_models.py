"""The workspace's documents as validated models, table by table: validated on first use
and reused while their raw document is unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from workos_tui.core.models import KINDS, format_validation_error
from workos_tui.core.storage import AtomicJSONStorage, WorkspaceError


class TableModels:
    """A cache over `storage.data`, which stays the source of truth."""

    def __init__(self, path: Path, storage: AtomicJSONStorage) -> None:
        self.path = path
        self._storage = storage
        self._models: dict[str, dict[str, BaseModel]] = {}
        self._raw_seen: dict[str, dict[str, Any]] = {}

    def table(self, name: str, reuse: dict[str, BaseModel] | None = None) -> dict[str, BaseModel]:
        """Validated models of one table, reusing those whose raw doc is unchanged."""
        models = self._models.get(name)
        if models is not None:
            return models
        model_cls = KINDS[name][0]
        old_raw = self._raw_seen.get(name, {})
        reuse = reuse or {}
        models = {}
        table = self._storage.data.get(name, {})
        for doc_id, doc in table.items():
            prev = reuse.get(doc_id)
            if prev is not None and old_raw.get(doc_id) == doc:
                models[doc_id] = prev
                continue
            if not isinstance(doc, dict):
                raise WorkspaceError(f"{self.path}: {name}.{doc_id}: must be an object")
            try:
                models[doc_id] = model_cls.model_validate({**doc, "id": doc_id})
            except ValidationError as e:
                msg = format_validation_error(e, f"{name}.{doc_id}")
                raise WorkspaceError(f"{self.path}: invalid content: {msg}") from None
        self._models[name] = models
        self._raw_seen[name] = dict(table)
        return models

    def validate_all(self) -> None:
        for name in KINDS:
            self.table(name)

    def reindex(self) -> None:
        """After a (re)load: tables in use are validated again now, the rest on first use,
        so quick capture on a 10,000-task workspace does not validate every task."""
        stale = self._models
        self._models = {}
        for name in KINDS:
            if name in stale:
                self.table(name, reuse=stale[name])

    def written(self, table: str, doc_id: str, doc: dict[str, Any] | None) -> None:
        """Follow a document just written to `storage.data` (None: removed)."""
        models = self._models.get(table)
        raw_seen = self._raw_seen.setdefault(table, {})
        if models is None:
            pass  # not indexed yet: validated from the raw docs on first use
        elif doc is None:
            models.pop(doc_id, None)
            raw_seen.pop(doc_id, None)
        else:
            models[doc_id] = KINDS[table][0].model_validate({**doc, "id": doc_id})
            raw_seen[doc_id] = doc

    def reorder(self, table: str, key: Callable[[str], Any]) -> None:
        models = self._models.get(table)
        if models is not None:
            self._models[table] = {k: models[k] for k in sorted(models, key=key)}
