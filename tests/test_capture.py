"""Quick capture (`core.capture`) appends to the inbox what the store would have written,
the store merges it exactly once, and every case capture does not own goes to the store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from workos_tui.core import inbox
from workos_tui.core.capture import capture
from workos_tui.core.models import BacklogItem
from workos_tui.core.store import Store

from .conftest import FIXED_NOW, FIXED_TODAY

TIMES = ("created_at", "at", "digest")
MERGE_BOOKKEEPING = ("inbox_seq", "body_bytes")


def _untimed(value: Any) -> Any:
    """The document with its clock readings (and the digest that covers them) blanked."""
    if isinstance(value, dict):
        return {k: "-" if k in TIMES else _untimed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


def _doc(path: Path) -> Any:
    """The file's document, untimed, without the inbox's bookkeeping in meta."""
    doc = _untimed(json.loads(path.read_bytes()))
    for key in MERGE_BOOKKEEPING:
        doc["meta"]["meta"].pop(key, None)
    return doc


@pytest.fixture
def twins(tmp_path: Path) -> tuple[Path, Path]:
    """Two identical copies of the demo workspace."""
    from workos_tui.core.demo import write_demo

    a = tmp_path / "a.json"
    write_demo(a, today=FIXED_TODAY, now=FIXED_NOW)
    b = tmp_path / "b.json"
    shutil.copy(a, b)
    return a, b


@pytest.mark.parametrize(
    "items",
    [
        [("Call the bank about the mortgage", [])],
        [("Plan the offsite", ["book a room", "", "ask Sam"]), ("Renew passport", [])],
        [("  leading spaces kept; 日本語 and emoji 🎉 [bold]x[/]", [])],
    ],
)
def test_capture_writes_what_the_store_writes(
    twins: tuple[Path, Path], items: list[tuple[str, list[str]]]
) -> None:
    fast, typed = twins
    ids = capture(fast, items)
    assert inbox.inbox_path(fast).exists()
    store = Store(typed)
    with store.transaction("add") as txn:
        expected = [store.put(BacklogItem(text=t, subitems=s)).id for t, s in items]
        txn.label = (
            f"add backlog item {expected[0]}"
            if len(items) == 1
            else f"add {len(items)} backlog items"
        )
    assert ids == expected
    # Merged by the next store: the same items and the same undoable change...
    merged = Store(fast)
    assert [(b.id, b.text, b.subitems) for b in merged.backlog()] == [
        (b.id, b.text, b.subitems) for b in store.backlog()
    ]
    assert merged.history()[0].label == store.history()[0].label
    assert merged.history()[0].changes == store.history()[0].changes
    # ...and, once that store writes, the same file, with the inbox gone.
    merged.add_backlog_item("next")
    store.add_backlog_item("next")
    assert not inbox.inbox_path(fast).exists()
    assert _doc(fast) == _doc(typed)
    assert json.loads(fast.read_bytes())["meta"]["meta"]["inbox_seq"] == 1
    read = Store(fast)
    read.validate_all()
    assert [(b.text, b.subitems) for b in read.backlog()][-len(items) - 1 : -1] == list(items)


def test_captures_waiting_in_the_inbox_get_distinct_ids(twins: tuple[Path, Path]) -> None:
    path, _ = twins
    first = capture(path, [("one", []), ("two", [])])
    second = capture(path, [("three", [])])
    assert first == ["B15", "B16"] and second == ["B17"]
    store = Store(path)
    assert [b.text for b in store.backlog()][-3:] == ["one", "two", "three"]
    assert [e.label for e in store.history()[:2]] == ["add backlog item B17", "add 2 backlog items"]
    # A store-made item comes after them, never on top of them.
    assert store.add_backlog_item("four").id == "B18"


def test_an_inbox_line_is_merged_once_even_if_the_merger_died(twins: tuple[Path, Path]) -> None:
    """Killed after writing the workspace but before removing the inbox: the workspace's
    inbox_seq says the line is in already."""
    path, _ = twins
    capture(path, [("only once", [])])
    saved = inbox.inbox_path(path).read_bytes()
    Store(path).add_backlog_item("a write that merges")
    inbox.inbox_path(path).write_bytes(saved)
    texts = [b.text for b in Store(path).backlog()]
    assert texts.count("only once") == 1
    # A capture after that still takes fresh ids.
    assert capture(path, [("later", [])]) == ["B17"]
    assert [b.text for b in Store(path).backlog()][-1] == "later"


def test_an_inbox_that_cannot_be_removed_is_harmless(
    twins: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write that merged the inbox succeeds even if the inbox stays behind."""
    path, _ = twins
    capture(path, [("merged once", [])])

    unlink = os.unlink

    def refused(target: str | os.PathLike[str], **kwargs: Any) -> None:
        if str(target).endswith(".inbox"):
            raise PermissionError(13, "Permission denied")
        unlink(target, **kwargs)

    monkeypatch.setattr(os, "unlink", refused)
    Store(path).add_backlog_item("a write that merges")
    monkeypatch.undo()
    assert inbox.inbox_path(path).exists()
    texts = [b.text for b in Store(path).backlog()]
    assert texts.count("merged once") == 1 and texts[-1] == "a write that merges"


def test_a_line_cut_short_by_a_kill_is_ignored(twins: tuple[Path, Path]) -> None:
    path, _ = twins
    box = inbox.inbox_path(path)
    capture(path, [("whole", [])])
    with box.open("ab") as f:
        f.write(b'{"seq":2,"at":"2026-12-04T09:30:00+00:00","label":"add backlog it')
    assert capture(path, [("after the torn line", [])]) is not None
    texts = [b.text for b in Store(path).backlog()]
    assert texts[-2:] == ["whole", "after the torn line"]


def test_a_capture_that_cannot_sync_leaves_no_trace(
    twins: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = twins
    capture(path, [("kept", [])])
    box = inbox.inbox_path(path)
    before = box.read_bytes()

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(inbox.os, "fsync", full_disk)
    assert capture(path, [("lost to a full disk", [])]) is None
    monkeypatch.undo()
    assert box.read_bytes() == before
    assert [b.text for b in Store(path).backlog()][-1] == "kept"


def test_an_inbox_entry_the_model_refuses_is_left_out(twins: tuple[Path, Path]) -> None:
    path, _ = twins
    inbox.append_entry(
        inbox.inbox_path(path),
        {"seq": 1, "at": "x", "label": "forged", "items": {"B99": {"text": ""}}},
    )
    capture(path, [("fine", [])])
    store = Store(path)
    assert [b.text for b in store.backlog()][-1] == "fine"
    assert "B99" not in {b.id for b in store.backlog()}


def test_a_capture_is_one_undoable_change(twins: tuple[Path, Path]) -> None:
    path, _ = twins
    before = [b.id for b in Store(path).backlog()]
    ids = capture(path, [("first", []), ("second", ["sub"])])
    assert ids is not None
    store = Store(path)
    assert store.history()[0].label == "add 2 backlog items"
    store.undo()
    assert [b.id for b in Store(path).backlog()] == before
    store.redo()
    assert [b.id for b in Store(path).backlog()][-2:] == ids


def test_ids_are_never_reused_after_undo(twins: tuple[Path, Path]) -> None:
    path, _ = twins
    first = capture(path, [("one", [])])
    Store(path).undo()
    second = capture(path, [("two", [])])
    assert first and second and first != second


def test_an_open_store_sees_the_capture(twins: tuple[Path, Path]) -> None:
    path, _ = twins
    store = Store(path)
    capture(path, [("from another terminal", [])])
    assert store.refresh()
    assert not store.refresh()  # nothing new since
    assert store.backlog()[-1].text == "from another terminal"
    # ...and its own next write keeps it.
    store.add_backlog_item("from the app")
    assert [b.text for b in Store(path).backlog()][-2:] == ["from another terminal", "from the app"]


@pytest.mark.parametrize(
    "items",
    [
        [],
        [("   ", [])],
        [("x" * 10_001, [])],
        [("lone \udcff surrogate", [])],
        [("fine", ["\ud800"])],
    ],
)
def test_text_the_model_would_refuse_goes_to_the_store(
    twins: tuple[Path, Path], items: list[tuple[str, list[str]]]
) -> None:
    path, _ = twins
    before = path.read_bytes()
    assert capture(path, items) is None
    assert path.read_bytes() == before


def test_files_it_does_not_own_go_to_the_store(tmp_path: Path, twins: tuple[Path, Path]) -> None:
    path, _ = twins
    assert capture(tmp_path / "missing.json", [("x", [])]) is None
    assert not (tmp_path / "missing.json").exists()
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    assert capture(empty, [("x", [])]) is None
    # Hand-edited: valid JSON, but no longer what a WorkOS writer signed.
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(json.loads(path.read_bytes()), indent=1))
    before = edited.read_bytes()
    assert capture(edited, [("x", [])]) is None
    assert edited.read_bytes() == before
    # Not JSON at all: the store words the error; capture leaves the bytes alone.
    broken = tmp_path / "broken.json"
    broken.write_bytes(b"{not json")
    assert capture(broken, [("x", [])]) is None
    assert broken.read_bytes() == b"{not json"


def test_an_older_schema_goes_to_the_store(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    shutil.copy(Path(__file__).parent / "data" / "workspace_v1.json", old)
    before = old.read_bytes()
    assert capture(old, [("x", [])]) is None
    assert old.read_bytes() == before


def test_workos_add_falls_back_to_the_store_and_still_works(tmp_path: Path) -> None:
    """A new workspace and an old-schema one take the store's path; the output is the same."""
    new = tmp_path / "new.json"
    old = tmp_path / "old.json"
    shutil.copy(Path(__file__).parent / "data" / "workspace_v1.json", old)
    for path in (new, old):
        assert capture(path, [("Buy stamps", [])]) is None
        done = subprocess.run(
            [sys.executable, "-m", "workos_tui", "add", "--db", str(path), "Buy stamps"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        item = Store(path).get_backlog_item(done.stdout.strip())
        assert item.text == "Buy stamps"


def test_workos_add_imports_neither_pydantic_nor_orjson_on_a_workspace_it_owns(
    twins: tuple[Path, Path],
) -> None:
    path, _ = twins
    code = (
        "import sys; from workos_tui.cli import main\n"
        f"assert main(['add', 'Call the bank', '--db', {str(path)!r}]) == 0\n"
        "heavy = [m for m in ('pydantic', 'orjson', 'tinydb') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert Store(path).backlog()[-1].text == "Call the bank"


def test_workos_add_imports_neither_pydantic_nor_the_store(twins: tuple[Path, Path]) -> None:
    """What makes quick capture quick: the plain case never loads the heavy modules."""
    path, _ = twins
    probe = (
        "import sys; from workos_tui import cli; code = cli.main(['add', '--db', sys.argv[1], "
        "'an idea']); heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pydantic', 'orjson', 'tinydb', 'textual', 'rich', 'anthropic', 'mcp') "
        "or m == 'workos_tui.core.store'); print(code, heavy)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "0 []", done.stdout
