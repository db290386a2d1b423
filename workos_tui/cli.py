"""The `workos` command: quick capture and headless access to the same core as the TUI.

Here: `main` (parse, dispatch, bad input as one line and exit 2) and the commands that open
the app, the demo and the MCP server; the parser is `cli_parser`, the workspace commands
`cli_workspace`. Imports stay lazy: `workos add` must not pay for textual, rich, anthropic
or the MCP SDK.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from workos_tui.cli_parser import PROG, UsageError, build_parser, core_command
from workos_tui.cli_parser import parse_date as parse_date  # tests call cli.parse_date
from workos_tui.cli_workspace import _read_items as _read_items  # tests call cli._read_items
from workos_tui.cli_workspace import (
    cmd_add,
    cmd_goal,
    cmd_history,
    cmd_list,
    cmd_note,
    cmd_task,
    cmd_undo,
    open_store,
)

if TYPE_CHECKING:
    from workos_tui.core.config import Config
    from workos_tui.core.store import Store


def _load_config() -> Config:
    from workos_tui.core.config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError as e:
        raise UsageError(str(e)) from None


def _engine_for(
    args: argparse.Namespace, store: Store, config: Config, name: str | None = None
) -> Any:
    from workos_tui.core.engines import make_engine

    try:
        return make_engine(name or getattr(args, "engine", None), store=store, config=config)
    except ValueError as e:
        raise UsageError(str(e)) from None


def cmd_app(args: argparse.Namespace) -> int:
    config = _load_config()
    store = open_store(args)
    from workos_tui.tui.app import run_app

    run_app(store, _engine_for(args, store, config), config)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    import tempfile

    from workos_tui.core.demo import write_demo

    path = getattr(args, "db", None) or os.path.join(
        tempfile.mkdtemp(prefix="workos-demo-"), "demo.json"
    )
    store = write_demo(path)
    if args.no_open:
        print(path)
        return 0
    config = _load_config()
    from workos_tui.tui.app import run_app

    run_app(
        store, _engine_for(args, store, config, getattr(args, "engine", None) or "offline"), config
    )
    return 0


def cmd_mcp(args: argparse.Namespace) -> int:
    from workos_tui.mcp_server import serve

    serve(open_store(args), _load_config())
    return 0


def dispatch(args: argparse.Namespace) -> int:
    command = args.command
    simple = {
        "add": cmd_add,
        "task": cmd_task,
        "goal": cmd_goal,
        "note": cmd_note,
        "list": cmd_list,
        "history": cmd_history,
        "demo": cmd_demo,
        "mcp": cmd_mcp,
    }
    if command is None:
        return cmd_app(args)
    if command in simple:
        return simple[command](args)
    if command in ("undo", "redo"):
        return cmd_undo(args, redo=command == "redo")
    if command == "run":
        from workos_tui.cli_run import cmd_run

        return int(cmd_run(args, open_store(args), _load_config()))
    if command in ("import", "export"):
        import workos_tui.cli_interop as interop

        handler = interop.cmd_import if command == "import" else interop.cmd_export
        return int(handler(args, open_store(args)))
    raise UsageError(f"unknown command {command!r}")


def main(argv: Sequence[str] | None = None) -> int:
    # Looking up pydantic plugins scans every installed distribution's entry points on the
    # first validation (~0.1 s); WorkOS uses none, so quick capture skips the scan.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # Quick capture never imports pydantic: its errors are classified only once imported.
    from workos_tui.core.errors import StoreWriteError, WorkspaceError

    try:
        args = build_parser(only=core_command(argv)).parse_args(argv)
        return dispatch(args)
    except StoreWriteError as e:
        # This process ends now: a change "kept in memory" would be lost, so say so.
        print_error(
            f"could not save {e.path}: {e.reason}; the change was not saved" if e.kept else str(e)
        )
        return 2
    except (UsageError, WorkspaceError) as e:
        print_error(str(e))
        return 2
    except KeyboardInterrupt:
        print_error("interrupted")
        return 130
    except BrokenPipeError:
        # `workos list | head`: the reader left; that's fine.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:
        if "pydantic" in sys.modules:
            from pydantic import ValidationError

            from workos_tui.core.models import format_validation_error

            if isinstance(e, ValidationError):
                print_error(format_validation_error(e))
                return 2
        raise


def print_error(message: str) -> None:
    """The one-line `workos: error: ...` every command prints for bad input."""
    from workos_tui.core.textsafety import clean_text

    print(f"{PROG}: error: {clean_text(message, single_line=True)}", file=sys.stderr)
