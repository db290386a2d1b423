"""Starting things from the palette: runs (prepare → run screen → approval → apply),
engine switching, import and export. Bulk work runs in thread workers; the core does the
thinking, this module only asks the person and shows the results."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from textual.worker import Worker, WorkerState

from workos_tui.core.wording import plural
from workos_tui.tui.screens.pickers import ChoiceModal, ConfirmModal, MultiChoiceModal, PromptModal
from workos_tui.tui.widgets.safe import clean

if TYPE_CHECKING:
    from workos_tui.core.interop.common import ImportReport
    from workos_tui.core.run_models import RunPlan
    from workos_tui.tui.app import WorkOSApp

ANALYSIS_LABELS = {
    "priority": "Priority: urgency and priority limits",
    "category": "Category: fix miscategorised tasks",
    "blockers": "Blockers: blocked, stale and dependency-blocked",
    "goal_alignment": "Goal alignment: link tasks to goals",
    "time_estimates": "Time estimates: against your capacity",
}
ENGINES = [
    ("offline", "offline: local, deterministic, no network"),
    ("anthropic", "anthropic: Claude"),
]
EXPORT_FORMATS = [
    ("json", "JSON (everything, re-importable)"),
    ("markdown", "Markdown"),
    ("todotxt", "todo.txt"),
    ("taskwarrior", "Taskwarrior JSON"),
]
EXTENSIONS = {"json": "json", "markdown": "md", "todotxt": "txt", "taskwarrior": "json"}
COST_CONFIRM_ABOVE = 20  # delegates; only for engines that cost money
IMPORT_PREVIEW_LINES = 12


class ImportPreview(NamedTuple):
    """What an import would do, found by a dry run, waiting for the person's yes."""

    source: Path
    report: ImportReport


def _sentence(text: str) -> str:
    return clean(text[:1].upper() + text[1:])


class RunLauncher:
    def __init__(self, app: WorkOSApp) -> None:
        self.app = app

    # -- the three operations ----------------------------------------------------

    def process_backlog(self) -> None:
        if not self.app.store.backlog():
            self.app.notify("The backlog is empty: press a to capture something.", timeout=3)
            return
        self.start("backlog_processing")

    def analyze_tasks(self) -> None:
        def chosen(types: list[str] | None) -> None:
            if types:
                self.start("task_analysis", analysis_types=types)

        self.app.push_screen(
            MultiChoiceModal("Analyze tasks: which analyses?", list(ANALYSIS_LABELS.items())),
            chosen,
        )

    def plan_day(self) -> None:
        def check(value: str) -> str | None:
            try:
                hours = float(value.strip() or "0")
            except ValueError:
                return "hours: a number like 6 or 4.5"
            return None if 0 < hours <= 24 else "hours: between 0 and 24"

        def answered(value: str | None) -> None:
            if value is not None:
                self.start("daily_planning", hours_available=float(value))

        default = self.app.config.hours_available
        self.app.push_screen(
            PromptModal("Plan my day: hours available today?", f"{default:g}", check=check),
            answered,
        )

    def start(self, operation: str, **options: Any) -> None:
        from workos_tui.core.operations import prepare

        store = self.app.store

        def work() -> RunPlan:
            plan: RunPlan = prepare(store, operation, **options)
            return plan

        self.app.run_worker(
            work, name=f"prepare {operation}", group="prepare", thread=True, exclusive=True,
            exit_on_error=False,
        )  # fmt: skip

    def prepared(self, worker: Worker[Any]) -> None:
        """The prepare worker finished (called from the app's worker handler)."""
        if worker.state == WorkerState.ERROR:
            self.app.notify(
                clean(str(worker.error)), title="Cannot start the run", severity="error"
            )
            return
        plan: RunPlan | None = worker.result
        if plan is None:
            return
        if not plan.delegates:
            self.app.notify("Nothing to do for this run.", timeout=3)
            return
        estimate = self._cost_estimate(plan)
        if estimate is None:
            self.open_run(plan)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.open_run(plan)

        self.app.push_screen(
            ConfirmModal(
                f"Run {len(plan.delegates)} delegates with {self.app.engine_label()}?",
                f"Estimated cost: {estimate}",
                yes="Run",
                no="Cancel",
            ),
            answer,
        )

    def _cost_estimate(self, plan: RunPlan) -> str | None:
        if (
            getattr(self.app.engine, "name", "") != "anthropic"
            or len(plan.delegates) <= COST_CONFIRM_ABOVE
        ):
            return None
        try:
            from workos_tui.core.pricing import estimate_run_cost  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            return "unknown (no price table in this build)"
        try:
            cost = estimate_run_cost(plan, self.app.config.resolved_model())
        except Exception as e:
            return f"unknown ({clean(str(e))})"
        return clean(str(cost)) if not isinstance(cost, int | float) else f"about ${cost:.2f}"

    def open_run(self, plan: RunPlan) -> None:
        from workos_tui.tui.screens.run import RunScreen

        self.app.push_screen(RunScreen(plan, self.make_runner))

    def make_runner(self) -> Any:
        from workos_tui.core.runner import Runner  # type: ignore[import-not-found,unused-ignore]

        cfg = self.app.config
        return Runner(
            self.app.engine, concurrency=cfg.concurrency, timeout_s=cfg.delegate_timeout_s
        )

    # -- engine, import, export -------------------------------------------------

    def switch_engine(self) -> None:
        def chosen(name: str | None) -> None:
            if name:
                self.app.switch_engine(name)

        current = getattr(self.app.engine, "name", None)
        self.app.push_screen(ChoiceModal("Switch engine", ENGINES, current), chosen)

    def export_workspace(self) -> None:
        from workos_tui.core.interop import export_workspace

        store = self.app.store

        def fmt_chosen(fmt: str | None) -> None:
            if not fmt:
                return
            default = store.path.with_name(f"{store.path.stem}-export.{EXTENSIONS.get(fmt, fmt)}")

            def path_chosen(value: str | None) -> None:
                if not value:
                    return
                target = Path(value).expanduser()

                def work() -> str:
                    text = export_workspace(store, fmt)
                    target.write_text(text, encoding="utf-8")
                    return f"Exported to {target}"

                self.app.run_worker(
                    work, name="export", group="interop", thread=True, exclusive=True,
                    exit_on_error=False,
                )  # fmt: skip

            self.app.push_screen(PromptModal(f"Export as {fmt} to:", str(default)), path_chosen)

        self.app.push_screen(ChoiceModal("Export workspace as", EXPORT_FORMATS), fmt_chosen)

    def import_file(self) -> None:
        """Ask for a path, preview what the import would do (a dry run), then import on yes."""
        from workos_tui.core.interop import import_path

        store = self.app.store

        def check(value: str) -> str | None:
            return None if Path(value.strip()).expanduser().exists() else "no such file"

        def path_chosen(value: str | None) -> None:
            if not value:
                return
            source = Path(value.strip()).expanduser()

            def work() -> ImportPreview:
                return ImportPreview(
                    source, import_path(store, source, dry_run=True, skip_invalid=True)
                )

            self.app.run_worker(
                work, name="import preview", group="interop", thread=True, exclusive=True,
                exit_on_error=False,
            )  # fmt: skip

        self.app.push_screen(
            PromptModal("Import which file?", placeholder="~/tasks.txt", check=check), path_chosen
        )

    def _confirm_import(self, preview: ImportPreview) -> None:
        from workos_tui.core.interop import import_path

        report, store = preview.report, self.app.store
        if not (report.created or report.updated):
            self.app.notify(f"Nothing to import: {clean(report.summary())}", timeout=6)
            return
        lines = [_sentence(report.summary()), ""]
        lines += report.preview[:IMPORT_PREVIEW_LINES]
        if len(report.preview) > IMPORT_PREVIEW_LINES:
            lines.append(f"… and {len(report.preview) - IMPORT_PREVIEW_LINES} more")
        if report.errors:
            lines += ["", f"{plural(len(report.errors), 'invalid record')} will be skipped, e.g.:"]
            lines.append(report.errors[0])
        lines += ["", "One change: undo takes all of it back."]

        def answered(yes: bool | None) -> None:
            if not yes:
                return

            def work() -> str:
                skip = bool(report.errors)
                return _sentence(import_path(store, preview.source, skip_invalid=skip).summary())

            self.app.run_worker(
                work, name="import", group="interop", thread=True, exclusive=True,
                exit_on_error=False,
            )  # fmt: skip

        self.app.push_screen(
            ConfirmModal(
                f"Import {preview.source.name}?", "\n".join(lines), yes="Import", no="Cancel"
            ),
            answered,
        )

    def interop_done(self, worker: Worker[Any]) -> None:
        if worker.state == WorkerState.ERROR:
            self.app.notify(
                clean(str(worker.error)), title=f"{worker.name} failed", severity="error"
            )
        elif isinstance(worker.result, ImportPreview):
            self._confirm_import(worker.result)
        else:
            self.app.notify(clean(str(worker.result)), timeout=5)
            self.app.changed(worker.name)
