"""The MCP server on a failing disk: a write that could not be saved is reported as a tool
error and is not saved later behind the caller's back (a caller that retries would
otherwise get the task twice)."""

from __future__ import annotations

import errno

import pytest

from tests.reliability.test_disk_faults import inject
from tests.test_mcp_server import connect
from workos_tui.core.store import Store


@pytest.mark.parametrize("point", ["mkstemp", "fsync", "replace"])
async def test_a_failed_save_is_an_error_and_stays_undone(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    before = demo_store.path.read_bytes()
    async with connect(demo_store) as client:
        with monkeypatch.context() as faulty:
            inject(faulty, point, errno.ENOSPC)
            message = await client.error("create_task", title="Renew the TLS certificate")
        assert "No space left on device" in message and "\n" not in message.strip()
        assert demo_store.path.read_bytes() == before  # nothing torn, nothing written
        # The disk is back: the next change is saved, the failed one is not.
        await client.ok("create_task", title="Book the venue")
    titles = [t.title for t in Store(demo_store.path).tasks()]
    assert "Book the venue" in titles
    assert "Renew the TLS certificate" not in titles
