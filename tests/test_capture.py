"""Quick capture (`core.capture`) writes exactly what the store would, and hands every case
it does not own back to the store."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from workos_tui.core.capture import capture
from workos_tui.core.models import BacklogItem
from workos_tui.core.store import Store

from .conftest import FIXED_NOW, FIXED_TODAY

TIMES = ("created_at", "at", "digest")


def _untimed(value: Any) -> Any:
    """The document with its clock readings (and the digest that covers them) blanked."""
    if isinstance(value, dict):
        return {k: "-" if k in TIMES else _untimed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


def _doc(path: Path) -> Any:
    return _untimed(json.loads(path.read_bytes()))


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
    store = Store(typed)
    with store.transaction("add") as txn:
        expected = [store.put(BacklogItem(text=t, subitems=s)).id for t, s in items]
        txn.label = (
            f"add backlog item {expected[0]}"
            if len(items) == 1
            else f"add {len(items)} backlog items"
        )
    assert ids == expected
    assert _doc(fast) == _doc(typed)
    # The file it wrote is one a store trusts and reads back into the same models.
    read = Store(fast)
    read.validate_all()
    assert [(b.text, b.subitems) for b in read.backlog()][-len(items) :] == list(items)


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
        done = subprocess.run(
            [sys.executable, "-m", "workos_tui", "add", "--db", str(path), "Buy stamps"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        item = Store(path).get_backlog_item(done.stdout.strip())
        assert item.text == "Buy stamps"


def test_workos_add_never_imports_pydantic_on_a_workspace_it_owns(
    twins: tuple[Path, Path],
) -> None:
    path, _ = twins
    code = (
        "import sys; from workos_tui.cli import main\n"
        f"assert main(['add', 'Call the bank', '--db', {str(path)!r}]) == 0\n"
        "assert 'pydantic' not in sys.modules, 'quick capture imported pydantic'\n"
        "assert 'tinydb' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert Store(path).backlog()[-1].text == "Call the bank"
