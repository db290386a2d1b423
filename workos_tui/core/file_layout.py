"""Where the workspace file lives, the layout a WorkOS writer leaves it in, and reading its
meta from the end of the file without parsing the rest (quick capture needs only the id
counters). Kept light: quick capture imports it, and not orjson, TinyDB or pydantic.

`AtomicJSONStorage.flush` writes the tables first and the meta document last, as
`...,"meta":{"meta":{...}}}`, with `body_bytes` (the length of what comes before that
comma) and a digest of those bytes inside it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

META_ID = "meta"  # the meta table's one document, and the key the file ends with
SCHEMA_VERSION = 2
MAX_META_BYTES = 256 * 1024  # settings and counters: a few KB in practice
_MARKER = b',"' + META_ID.encode() + b'":'


def default_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("workos", appauthor=False)) / "workspace.json"


def resolve_path(flag: str | os.PathLike[str] | None) -> Path:
    """`--db` wins over `WORKOS_DB`, which wins over the platform's user data dir."""
    if flag:
        return Path(flag).expanduser()
    env = os.environ.get("WORKOS_DB")
    return Path(env).expanduser() if env else default_path()


def read_tail_meta(workspace: Path) -> dict[str, Any] | None:
    """The workspace's own meta document, or None when the file does not end the way a
    WorkOS writer ends it. A candidate is taken only if it parses and its `body_bytes` says
    it starts where it was found (a nested `"meta"` key elsewhere cannot pass for it)."""
    try:
        with open(workspace, "rb") as f:
            size = f.seek(0, os.SEEK_END)
            start = max(0, size - MAX_META_BYTES)
            f.seek(start)
            tail = f.read()
    except OSError:
        return None
    if not tail.endswith(b"}"):
        return None
    pos = tail.rfind(_MARKER)
    while pos >= 0:
        own = _own_meta(tail[pos + len(_MARKER) : -1])
        if own is not None and own.get("body_bytes") == start + pos:
            return own
        pos = tail.rfind(_MARKER, 0, pos)
    return None


def _own_meta(raw: bytes) -> dict[str, Any] | None:
    try:
        meta = json.loads(raw)
    except ValueError:
        return None
    own = meta.get(META_ID) if isinstance(meta, dict) else None
    return own if isinstance(own, dict) else None
