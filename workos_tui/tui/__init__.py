"""The Textual front end: a thin layer over `workos_tui.core` (store, operations, runner)."""
