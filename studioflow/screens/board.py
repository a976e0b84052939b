"""The board: a pipeline as kanban columns, every job a card, moved from the keyboard.

The screen holds the cursor (column, card) and calls the workflow services; columns
only draw. After a change only the columns involved are re-read. A pipeline of
clients, events or invoices is the same board with the same keys: the moves go to
`tracking` instead of `jobs` (see `_call`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, HorizontalScroll, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from studioflow.errors import StudioflowError
from studioflow.screens.effects import run_effect, studio
from studioflow.screens.filter_line import FilterLine
from studioflow.screens.undo import undo_keys
from studioflow.store import Database
from studioflow.store.choices import NOUN
from studioflow.widgets.board.column import CardColumn
from studioflow.widgets.board.pipeline_bar import PipelineBar
from studioflow.widgets.footer import KeysFooter
from studioflow.widgets.keys import key_for, undo_hint
from studioflow.widgets.outbox_badge import OutboxBadge
from studioflow.workflow import names
from studioflow.workflow.board import board, reads
from studioflow.workflow.board.board import BoardView, CardView
from studioflow.workflow.views import JobView

# The first frame needs only what draws the board (read with plain SQL). The write
# services (and SQLAlchemy with them), the dialogs and the other screens are imported
# where they are used, by then warmed up by the app (see StudioflowApp.warm_up).
if TYPE_CHECKING:
    from studioflow.screens.dialogs import JobForm, NewEntry

# The board's verbs and the job services that do them; a tracked kind's are in `tracking`.
JOB_VERBS = {"advance": "advance", "skip": "skip", "move_to": "move_to", "reorder": "reorder", "untrack": "archive"}


class BoardScreen(FilterLine, Screen[None]):
    AUTO_FOCUS = ""  # keys go to the board; the filter line takes focus only on `/`
    FILTER_ID = "board-filter"
    BINDINGS = [
        Binding("left,h", "cursor(-1, 0)", "Column left", show=False, id="board.left"),
        Binding("right,l", "cursor(1, 0)", "Column right", show=False, id="board.right"),
        Binding("up,k", "cursor(0, -1)", "Card up", show=False, id="board.up"),
        Binding("down,j", "cursor(0, 1)", "Card down", show=False, id="board.down"),
        Binding("g", "first_card", "First card", show=False, id="board.first"),
        Binding("G", "last_card", "Last card", show=False, id="board.last"),
        Binding("L,shift+right", "advance", "Advance", id="board.advance"),
        Binding("H,shift+left", "back", "Back", id="board.back"),
        Binding("J,shift+down", "reorder(1)", "Card lower", show=False, id="board.reorder_down"),
        Binding("K,shift+up", "reorder(-1)", "Card higher", show=False, id="board.reorder_up"),
        Binding("s", "skip", "Skip", id="board.skip"),
        Binding("m", "move", "Move to", id="board.move"),
        Binding("M", "move(False)", "Move quietly", id="board.move_quiet"),
        Binding("D", "dry_run", "Dry run", id="board.dry_run"),
        Binding("t", "status", "Status", id="board.status"),
        Binding("n", "new_job", "New", id="board.new"),
        Binding("e", "edit_job", "Edit", id="board.edit"),
        Binding("a", "archive", "Archive", id="board.archive"),
        Binding("A", "archived", "Archived", show=False, id="board.archived"),
        Binding("enter", "open_job", "Open", id="board.open"),
        Binding("slash", "filter", "Filter", id="board.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="board.clear_filter"),
        Binding("p", "pick_pipeline", "Pipeline", id="board.pipeline"),
        Binding("left_square_bracket", "switch_pipeline(-1)", "Prev pipeline", show=False, id="board.prev"),
        Binding("right_square_bracket", "switch_pipeline(1)", "Next pipeline", show=False, id="board.next"),
        Binding("P", "move_pipeline", "Job to pipeline", show=False, id="board.job_pipeline"),
        Binding("S", "edit_stages", "Stages", id="board.stages"),
        Binding("T", "templates", "Templates", show=False, id="board.templates"),
        Binding("ctrl+t", "statuses", "Statuses", show=False, id="board.statuses"),
        *undo_keys("board", show_redo=True),
    ]

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.view: BoardView | None = None
        self.column_index = 0
        self.filter_text = ""
        # The mounted columns and their headers, kept to skip DOM queries on every key.
        self._cards: list[CardColumn] = []
        self._headers: list[Static] = []
        self._resumed = False  # the first resume is the app's start, right after on_mount read the board

    def compose(self) -> ComposeResult:
        with Horizontal(id="board-top"):
            yield PipelineBar(id="pipeline-bar")
            yield OutboxBadge()
        filter_line = Input(placeholder="filter cards: title, client, status (esc clears)", id=self.FILTER_ID)
        filter_line.display = False
        yield filter_line
        yield HorizontalScroll(id="columns")
        yield Static("", id="board-empty")
        yield KeysFooter()

    async def on_mount(self) -> None:
        await self.show_pipeline(board.last_pipeline(self.db))
        self.call_after_refresh(studio(self).warm_up)  # after the first frame

    # Drawing

    async def show_pipeline(self, pipeline_id: int | None) -> None:
        """Replace the columns with those of another pipeline."""
        container = self.query_one("#columns", HorizontalScroll)
        await container.remove_children()
        self._cards, self._headers = [], []
        self.view = None if pipeline_id is None else board.board(self.db, pipeline_id, self.filter_text)
        self.query_one(PipelineBar).show(names.shown_pipelines(self.db), pipeline_id)
        empty = self.query_one("#board-empty", Static)
        if self.view is None:
            empty.update(
                f"No pipelines yet. Press {key_for(self, 'edit_stages', 'S')} to create one,"
                " or run `studioflow demo` for sample data."
            )
        elif not self.view.columns:
            stages_key = key_for(self, "edit_stages", "S")
            empty.update(f"“{self.view.pipeline}” has no stages yet. Press {stages_key} to add some.")
        empty.display = self.view is None or not self.view.columns
        if self.view is None:
            return
        shown = self.view.pipeline_id
        if shown != board.last_pipeline(self.db):  # a write only when the user switched, once writes are loaded
            studio(self).when_writable(run_effect, self, lambda: board.remember_pipeline(self.db, shown))
        noun = NOUN[self.view.kind]
        for stage in self.view.columns:
            fetch = self._fetcher(stage.id)
            self._cards.append(CardColumn(stage.id, stage.job_count, fetch, id=f"cards-{stage.id}", noun=noun))
            self._headers.append(Static(classes="column-header"))
        await container.mount_all(
            Vertical(header, cards, classes="column") for header, cards in zip(self._headers, self._cards, strict=True)
        )
        self.column_index = min(self.column_index, max(len(self._cards) - 1, 0))
        self._update_headers()
        if self._cards:
            self._focus(self.column_index, 0)

    def on_screen_resume(self) -> None:
        # Back from the job screen or a dialog: tasks or jobs may have changed. Skipped
        # while columns are being remounted, or when the stages themselves changed (the
        # stage editor's own callback redraws the whole pipeline then), and at start.
        first, self._resumed = not self._resumed, True
        if first or self.view is None or not self._cards or not all(card.is_mounted for card in self._cards):
            return
        if self._refresh():
            self._focus(self.column_index, self._column(self.column_index).cursor)

    def _fetcher(self, stage_id: int) -> Callable[[int, int], list[CardView]]:
        kind = self.view.kind if self.view else "jobs"
        return lambda offset, limit: board.cards(self.db, stage_id, offset, limit, self.filter_text, kind)

    def _columns(self) -> list[CardColumn]:
        return self._cards

    def _column(self, index: int) -> CardColumn:
        return self._cards[index]

    def _update_headers(self, stage_ids: set[int] | None = None) -> None:
        """Redraw the headers of the given columns (all when None) and mark the focused one."""
        assert self.view is not None
        for index, (stage, header) in enumerate(zip(self.view.columns, self._headers, strict=True)):
            if stage_ids is None or stage.id in stage_ids:
                header.update(f"[b]{escape(stage.name)}[/b]  [dim]{stage.job_count}[/dim]")
            header.set_class(index == self.column_index, "-focused")

    def _focus(self, column_index: int, card_index: int | None) -> None:
        columns = self._columns()
        if not columns:
            return
        self.column_index = max(0, min(column_index, len(columns) - 1))
        for index, column in enumerate(columns):
            # Only columns that show a cursor need a redraw to lose it.
            if index != self.column_index and column.cursor is not None:
                column.cursor = None
        target = columns[self.column_index]
        if card_index is not None and target.count:
            target.cursor = max(0, min(card_index, target.count - 1))
        else:
            target.cursor = 0 if target.count else None
        self._update_headers(set())
        if isinstance(holder := target.parent, Widget):  # the column's box is what scrolls into view
            self.query_one("#columns", HorizontalScroll).scroll_to_widget(holder, animate=False)

    def _refresh(self, stage_ids: set[int] | None = None) -> bool:
        """Re-read the given columns (all of them when None): their counts and cards.

        False, leaving everything as it was, when the pipeline's stages are no longer
        the mounted columns (the pipeline must then be shown anew).
        """
        if self.view is None:
            return False
        if stage_ids is None:
            fresh = board.board(self.db, self.view.pipeline_id, self.filter_text)
            if [stage.id for stage in fresh.columns] != [card.stage_id for card in self._cards]:
                return False
            self.view = fresh
        else:
            counts = board.counts(self.db, stage_ids, self.filter_text, self.view.kind)
            columns = tuple(s._replace(job_count=counts.get(s.id, s.job_count)) for s in self.view.columns)
            self.view = self.view._replace(columns=columns)
        for stage, column in zip(self.view.columns, self._columns(), strict=True):
            if stage_ids is None or stage.id in stage_ids:
                column.reload(stage.job_count)
        self._update_headers(stage_ids)
        return True

    def focused_card(self) -> CardView | None:
        columns = self._columns()
        if not columns:
            return None
        column = columns[self.column_index]
        return None if column.cursor is None else column.card(column.cursor)

    # Cursor

    def action_cursor(self, columns: int, cards: int) -> None:
        all_columns = self._columns()
        if not all_columns:
            return
        if columns:
            row = all_columns[self.column_index].cursor or 0
            self._focus(self.column_index + columns, row)
        else:
            column = all_columns[self.column_index]
            if column.count:
                self._focus(self.column_index, (column.cursor or 0) + cards)

    def action_first_card(self) -> None:
        self._focus(self.column_index, 0)

    def action_last_card(self) -> None:
        if self._columns():
            self._focus(self.column_index, self._column(self.column_index).count - 1)

    # Moving jobs

    @property
    def _noun(self) -> str:
        return NOUN[self.view.kind if self.view else "jobs"]

    def _no_card(self) -> None:
        self.notify(f"No {self._noun} here: move to a card first.", severity="warning")

    def _focused_job(self, what: str) -> CardView | None:
        """The focused card, for something only a job pipeline's cards have (`what`); None, with a
        notice saying why, when there is no card or the pipeline tracks something else."""
        card = self.focused_card()
        if card is None:
            self._no_card()
            return None
        return card if self._jobs_only(what) else None

    def _jobs_only(self, what: str) -> bool:
        """True on a job pipeline; else a notice that `what` is for jobs."""
        if self.view is None or self.view.kind == "jobs":
            return True
        self.notify(f"{what} is for jobs; this pipeline tracks {self.view.kind}.", severity="warning")
        return False

    def _call(self, verb: str, card_id: int, *args: Any) -> Any:
        """A move of the card: a job service, or the tracking one for a client, event or invoice."""
        from studioflow.workflow.jobs import jobs, tracking

        assert self.view is not None
        if self.view.kind == "jobs":
            return getattr(jobs, JOB_VERBS[verb])(self.db, card_id, *args)
        return getattr(tracking, verb)(self.db, self.view.kind, card_id, *args, pipeline=self.view.pipeline_id)

    def _change(self, change: Callable[[int], Any], *, message: str | None = None, ask: bool = False) -> None:
        """Run a service on the focused job, then redraw the columns it touched.

        `ask`: a move that first checks (in the same worker) whether a stage it enters would
        write to a client the job does not have; if so nothing is done and the user is asked."""
        from studioflow.workflow.jobs import jobs, tracking

        card = self.focused_card()
        if card is None or self.view is None:
            self._no_card()
            return
        before = self._column(self.column_index).stage_id
        kind = self.view.kind  # a client, event or invoice card has no job to ask about
        pipeline_id = self.view.pipeline_id

        def still_there(move: Callable[[], Any]) -> Any:
            # The card may have moved since this board was drawn (another machine, another window).
            return tracking.unless_moved(self.db, kind, card.id, before, pipeline_id, move)

        def attempt() -> Any:
            if not ask:
                return change(card.id)
            if kind == "jobs" and jobs.may_message_nobody(self.db, card.id):
                still_there(lambda: None)
                try:
                    result, effects = jobs.rehearse(self.db, lambda: change(card.id))
                except StudioflowError:
                    return still_there(lambda: change(card.id))  # refused: the move itself says why
                nobody = tuple(effect.text for effect in effects if effect.nobody)
                if nobody:
                    return _WouldWriteToNobody(result.stage, nobody)
            return still_there(lambda: change(card.id))

        def done(result: Any) -> None:
            if isinstance(result, _WouldWriteToNobody):
                self._ask_first(card.title, result, lambda: self._change(change, message=message))
                return
            after = getattr(result, "stage_id", before)
            self._follow(card.id, {before, after})

        def said(result: Any) -> str | None:
            return None if isinstance(result, _WouldWriteToNobody) else message

        def refused(why: str) -> None:
            elsewhere = why.startswith(tracking.MOVED_ELSEWHERE)
            self.notify(why, severity="warning" if elsewhere else "error")
            if elsewhere:
                self._follow(card.id, None)

        # Off the UI thread: another process may hold the write lock for seconds.
        run_effect(self, attempt, done, said=said, refused=refused)

    def _ask_first(self, title: str, found: _WouldWriteToNobody, move: Callable[[], None]) -> None:
        from studioflow.screens.dialogs import PickerDialog

        def answered(choice: str | NewEntry | None) -> None:
            if choice == "move":
                move()
            elif choice == "client":
                self.action_edit_job()

        question = "\n".join(
            [f"Move “{title}” to {found.stage}?", "A message would go to nobody:"]
            + [f"  {line}" for line in found.lines]
            + ["It would wait, held, until you edit or cancel it."]
        )
        choices = [("Move anyway", "move"), ("Add a client first", "client"), ("Cancel", "cancel")]
        self.app.push_screen(PickerDialog(question, choices, current=1), answered)

    def _follow(self, job_id: int, stage_ids: set[int] | None) -> None:
        """Redraw, then put the cursor back on the job wherever it now stands."""
        assert self.view is not None
        if stage_ids is not None and not stage_ids <= {s.id for s in self.view.columns}:
            stage_ids = None
        self._refresh(stage_ids)
        self._cursor_to(job_id)

    def _cursor_to(self, card_id: int | None) -> None:
        """Put the cursor on the card wherever it now stands; where it was when it is not here."""
        assert self.view is not None
        if card_id is None:
            place = None
        else:
            place = board.locate(self.db, card_id, self.filter_text, self.view.kind, self.view.pipeline_id)
        if place is None:
            self._focus(self.column_index, self._column(self.column_index).cursor)
            return
        stage_id, index = place
        positions = [s.id for s in self.view.columns]
        if stage_id in positions:
            self._focus(positions.index(stage_id), index)

    async def studio_changed(self, kinds: frozenset[str]) -> None:
        """Another machine changed jobs or tasks (live refresh, see screens/live.py): re-read the
        columns, the cursor staying on its card; the stages changed, the pipeline is shown anew."""
        if not kinds & {"jobs", "tasks"}:
            return
        if self.view is None or not self._cards:  # no pipeline, or no stages: there may be some now
            await self.show_pipeline(board.last_pipeline(self.db) if self.view is None else self.view.pipeline_id)
            return
        if not all(card.is_mounted for card in self._cards):  # being remounted: it reads afresh anyway
            return
        card = self.focused_card()
        try:
            same_stages = self._refresh()
        except StudioflowError:  # the pipeline itself is gone
            await self.show_pipeline(board.last_pipeline(self.db))
            return
        if not same_stages:
            await self.show_pipeline(self.view.pipeline_id)
            return
        self._cursor_to(None if card is None else card.id)

    def _move(self, change: Callable[[int], JobView], *, message: str | None = None) -> None:
        """A move, asked about first when a stage it enters would write to a client the job does not have."""
        self._change(change, message=message, ask=True)

    def action_dry_run(self) -> None:
        """What advancing the job (L) would send and create, rendered; nothing is written."""
        from studioflow.screens.dry_run import DryRunPanel
        from studioflow.workflow.jobs import jobs

        card = self.focused_card()
        if card is None:
            self.notify("No job here: move to a card first.", severity="warning")
            return
        if not self._jobs_only("A dry run"):
            return

        def show(rehearsed: tuple[JobView, list[Any]]) -> None:
            self.app.push_screen(DryRunPanel(f"Dry run: advance “{card.title}”", *rehearsed))

        rehearse = lambda: jobs.rehearse(self.db, lambda: jobs.advance(self.db, card.id))  # noqa: E731
        run_effect(self, rehearse, show, refusal="warning")

    def action_advance(self) -> None:
        self._move(lambda job: self._call("advance", job))

    def action_skip(self) -> None:
        self._move(lambda job: self._call("skip", job))

    def action_back(self) -> None:
        if self.view is None or self.column_index == 0:
            self.notify("This is the first stage: there is no stage before it.", severity="warning")
            return
        previous = self.view.columns[self.column_index - 1].id
        self._move(lambda job: self._call("move_to", job, previous))

    def action_reorder(self, offset: int) -> None:
        self._change(lambda job: self._call("reorder", job, offset))

    def action_archive(self) -> None:
        card = self.focused_card()
        done = "Archived" if self.view is None or self.view.kind == "jobs" else "Took off the pipeline"
        self._change(
            lambda job: self._call("untrack", job),
            message=f"{done} “{card.title}” {undo_hint(self)}." if card else None,
        )

    def action_move(self, automations_on: bool = True) -> None:
        """Move to a stage picked from a list; `M` moves without automations (a correction)."""
        from studioflow.screens.dialogs import PickerDialog
        from studioflow.workflow.jobs import jobs

        card = self.focused_card()
        if card is None or self.view is None:
            self._no_card()
            return
        if not automations_on and not self._jobs_only("A move without automations"):
            return
        choices = [(stage.name, stage.id) for stage in self.view.columns]
        quietly = "" if automations_on else " without automations"
        said = None if automations_on else f"Moved without automations: nothing fired {undo_hint(self)}."

        def moved(stage_id: int | NewEntry | None) -> None:
            if isinstance(stage_id, int):
                if self.view is not None and self.view.kind == "jobs":
                    self._move(lambda job: jobs.move_to(self.db, job, stage_id, automations_on), message=said)
                else:
                    self._move(lambda job: self._call("move_to", job, stage_id))

        title = f"Move “{card.title}”{quietly} to stage"
        self.app.push_screen(PickerDialog(title, choices, current=self.column_index), moved)

    def action_status(self) -> None:
        from studioflow.screens.statuses import pick_status
        from studioflow.workflow.jobs import jobs

        card = self._focused_job("A status")
        if card is None:
            return

        def set_to(status_id: int | None) -> None:
            self._change(lambda job: jobs.set_status(self.db, job, status_id))

        pick_status(self, self.db, f"Status of “{card.title}”", set_to)

    def action_archived(self) -> None:
        from studioflow.screens.archived import ArchivedDialog

        if self.view is None:
            self.notify("No pipeline here.", severity="warning")
            return
        # Back on the board, on_screen_resume re-reads the columns: unarchived cards show.
        self.app.push_screen(ArchivedDialog(self.db, self.view.pipeline_id, self.view.pipeline))

    def action_statuses(self) -> None:
        from studioflow.screens.statuses import StatusesDialog

        self.app.push_screen(StatusesDialog(self.db))  # the board re-reads its cards on resume

    def action_move_pipeline(self) -> None:
        from studioflow.screens.dialogs import PickerDialog
        from studioflow.workflow.jobs import jobs, tracking

        card = self.focused_card()
        if card is None or self.view is None:
            self._no_card()
            return
        view = self.view
        others = [
            (p.name, p.id)
            for p in reads.list_pipelines(self.db)
            if p.id != view.pipeline_id and p.kind == view.kind
        ]
        if not others:
            self.notify(f"There is no other pipeline to move the {self._noun} to.", severity="warning")
            return

        def chosen(pipeline_id: int | NewEntry | None) -> None:
            if not isinstance(pipeline_id, int):
                return

            def move() -> Any:
                if view.kind == "jobs":
                    return jobs.move_to_pipeline(self.db, card.id, pipeline_id)
                return tracking.move_to_pipeline(self.db, view.kind, card.id, pipeline_id, pipeline=view.pipeline_id)

            def moved(_: Any) -> None:
                self._refresh()
                self._focus(self.column_index, self._column(self.column_index).cursor)

            said = ("Moved “{0.title}” to {0.pipeline} › {0.stage} " + undo_hint(self) + ".").format
            run_effect(self, move, moved, said=said)

        self.app.push_screen(PickerDialog(f"Move “{card.title}” to pipeline", others), chosen)

    # Jobs: new, edit, open

    def action_new_job(self) -> None:
        from studioflow.screens.dialogs import JobDialog
        from studioflow.workflow.jobs import jobs
        from studioflow.workflow.people import clients

        if self.view is None or not self.view.columns:
            self.notify("Add a pipeline with stages first (S).", severity="warning")
            return
        stage_id = self.view.columns[self.column_index].id
        if self.view.kind != "jobs":
            self._track_new(stage_id)
            return
        names = [(c.name, c.id) for c in clients.list_clients(self.db)]

        def save(form: JobForm | None) -> None:
            if form is None or self.view is None:
                return
            client, new = self._client(form.client)
            pipeline_id = self.view.pipeline_id
            run_effect(
                self,
                lambda: jobs.add_job(self.db, form.title, pipeline_id, client, stage_id, form.due_on, new),
                lambda job: self._follow(job.id, {stage_id}),
            )

        self.app.push_screen(JobDialog(f"New job in {self.view.columns[self.column_index].name}", names), save)

    def _track_new(self, stage_id: int) -> None:
        """`n` on a client, event or invoice pipeline: pick one to put on it (or type a new client's name)."""
        from studioflow.screens.dialogs import NewEntry, PickerDialog
        from studioflow.workflow.jobs import tracking
        from studioflow.workflow.people import clients

        assert self.view is not None
        view = self.view
        if view.kind == "clients":
            choices = [(c.name + (f"  <{c.email}>" if c.email else ""), c.id) for c in clients.list_clients(self.db)]
        elif view.kind == "events":
            from studioflow.workflow.schedule import events

            listed = events.list_events(self.db)
            choices = [(f"{e.starts_at.astimezone():%Y-%m-%d %H:%M}  {e.title}", e.id) for e in listed]
        else:
            from studioflow.workflow.money import invoices

            unsettled = [i for i in invoices.list_invoices(self.db) if i.status not in ("paid", "void")]
            choices = [(f"{i.number}  {i.client or ''}  {invoices.money(i.total_cents)}", i.id) for i in unsettled]

        def chosen(client: int | NewEntry | None) -> None:
            if client is None:
                return

            def track() -> Any:
                if isinstance(client, NewEntry):
                    return tracking.track_new_client(self.db, client.text, view.pipeline_id, stage_id)
                return tracking.track(self.db, view.kind, client, view.pipeline_id, stage_id)

            run_effect(self, track, lambda tracked: self._follow(tracked.id, {stage_id}))

        title = f"Put a{'n' if view.kind != 'clients' else ''} {self._noun} on {view.pipeline} › "
        title += view.columns[self.column_index].name
        new_label = "new client" if view.kind == "clients" else None  # an event or invoice needs more than a name
        self.app.push_screen(PickerDialog(title, choices, new_label=new_label), chosen)

    def action_edit_job(self) -> None:
        from studioflow.screens.dialogs import JobDialog
        from studioflow.workflow.jobs import jobs
        from studioflow.workflow.people import clients

        card = self._focused_job("Editing here")
        if card is None:
            return
        job = jobs.get_job(self.db, card.id)
        names = [(c.name, c.id) for c in clients.list_clients(self.db)]

        def save(form: JobForm | None) -> None:
            if form is None:
                return
            client, new = self._client(form.client)
            run_effect(
                self,
                lambda: jobs.edit_job(self.db, job.id, form.title, client, form.due_on, new),
                lambda _: self._follow(job.id, {job.stage_id}),
            )

        self.app.push_screen(JobDialog("Edit job", names, job.title, job.client_id, job.due_on), save)

    @staticmethod
    def _client(client: int | NewEntry | None) -> tuple[int | None, str | None]:
        """(an existing client's id, a new client's name) from the job dialog's choice."""
        from studioflow.screens.dialogs import NewEntry

        return (None, client.text) if isinstance(client, NewEntry) else (client, None)

    def action_open_job(self) -> None:
        from studioflow.screens.job import JobScreen

        card = self.focused_card()
        if card is None:
            self._no_card()
            return
        if self.view is not None and self.view.kind != "jobs":
            self._show_history(card)
            return
        self.app.push_screen(JobScreen(self.db, card.id))

    def _show_history(self, card: CardView) -> None:
        """A tracked card's passage through this pipeline, one line a visit."""
        from studioflow.workflow.jobs import tracking

        assert self.view is not None
        tracks = tracking.get_tracks(self.db, self.view.kind, card.id)
        shown = next(t for t in tracks if t.pipeline_id == self.view.pipeline_id)
        lines = [f"{v.stage}: {v.state} {v.entered_at.astimezone():%Y-%m-%d %H:%M}" for v in shown.history]
        self.notify("\n".join(lines), title=card.title, timeout=8)

    # Filter

    def _show_filtered(self) -> None:
        self._refresh()
        self._focus(self.column_index, 0)

    def _leave_filter(self) -> None:
        self.set_focus(None)

    # Pipelines and stages

    async def action_switch_pipeline(self, step: int) -> None:
        all_pipelines = reads.list_pipelines(self.db)
        if not all_pipelines or self.view is None:
            return
        ids = [p.id for p in all_pipelines]
        here = ids.index(self.view.pipeline_id) if self.view.pipeline_id in ids else 0
        self.column_index = 0
        await self.show_pipeline(ids[(here + step) % len(ids)])

    def action_pick_pipeline(self) -> None:
        from studioflow.screens.dialogs import PickerDialog

        all_pipelines = reads.list_pipelines(self.db)
        if not all_pipelines:
            stages_key = key_for(self, "edit_stages", "S")
            self.notify(f"No pipelines yet. Press {stages_key} to create one.", severity="warning")
            return
        ids = [p.id for p in all_pipelines]
        current = ids.index(self.view.pipeline_id) if self.view and self.view.pipeline_id in ids else 0

        async def chosen(pipeline_id: int | NewEntry | None) -> None:
            if isinstance(pipeline_id, int):
                self.column_index = 0
                await self.show_pipeline(pipeline_id)

        choices = [(f"{p.name}  ({sum(s.job_count for s in p.stages)} {p.kind})", p.id) for p in all_pipelines]
        self.app.push_screen(PickerDialog("Show pipeline", choices, current=current), chosen)

    def action_templates(self) -> None:
        from studioflow.screens.templates import TemplatesDialog

        self.app.push_screen(TemplatesDialog(self.db))

    def action_edit_stages(self) -> None:
        from studioflow.screens.stages import StageEditor

        async def closed(pipeline_id: int | None) -> None:
            await self.show_pipeline(pipeline_id if pipeline_id is not None else board.last_pipeline(self.db))

        self.app.push_screen(StageEditor(self.db, self.view.pipeline_id if self.view else None), closed)

    # Undo

    async def action_undo(self) -> None:
        from studioflow.screens.undo import step_journal

        step_journal(self, self.db, lambda: self.call_later(self._after_journal))

    async def action_redo(self) -> None:
        from studioflow.screens.undo import step_journal

        step_journal(self, self.db, lambda: self.call_later(self._after_journal), redo=True)

    async def _after_journal(self) -> None:
        if self.view is not None and board.last_pipeline(self.db) == self.view.pipeline_id:
            self._refresh()
            self._focus(self.column_index, self._column(self.column_index).cursor if self._columns() else None)
        else:
            await self.show_pipeline(board.last_pipeline(self.db))


@dataclass(frozen=True)
class _WouldWriteToNobody:
    """A move not made: a stage it enters would queue a message to nobody (asked about first)."""

    stage: str
    lines: tuple[str, ...]
