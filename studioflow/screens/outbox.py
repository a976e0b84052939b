"""The outbox (`5`): every message by state, read it whole, edit, retry, release, cancel, send."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label, ProgressBar, Static, TextArea

from studioflow.screens.dialogs import NewEntry, PickerDialog, save_keys
from studioflow.screens.effects import run_effect, studio
from studioflow.screens.undo import UndoKeys, undo_keys
from studioflow.store import Database
from studioflow.widgets.colours import theme_style
from studioflow.widgets.footer import KeysFooter
from studioflow.widgets.keys import KeyHints, undo_hint
from studioflow.widgets.outbox_badge import OutboxBadge
from studioflow.workflow.automations import outbox
from studioflow.workflow.views import MessageView, first_line, local_minute

# (name, states shown); the first view is what the screen opens on.
VIEWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("All", ()),
    ("Needs you", ("failed", "held")),
    ("Waiting", ("queued", "sending")),
    ("Sent", ("sent",)),
    ("Cancelled", ("cancelled",)),
)
SHOWN_AT_MOST = 1000  # rows in one view; older sent mail stays in `studioflow outbox list`
# What each state says (see widgets.colours); the colour itself is the theme's.
STATE_MEANING = {"failed": "error", "held": "warning", "sending": "info", "sent": "success"}


class MessageDialog(ModalScreen[str | None]):
    """A message in full: where it goes, what happened to it, and its text."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="message.close"),
        Binding("e", "dismiss('edit')", "Edit", id="message.edit"),
    ]

    def __init__(self, message: MessageView) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        m = self.message
        facts = [
            ("State", m.state_label() + (f" — {m.last_error}" if m.last_error else "")),
            ("To", m.to_addr or "(nobody)"),
            ("Job", f"{m.job_title} (#{m.job_id})" if m.job_id else "-"),
            ("Send at", local_minute(m.send_at)),
            ("Sent at", local_minute(m.sent_at)),
            ("Attempts", str(m.attempts)),
            ("Went to", m.reply or "-"),
            ("Message-ID", m.message_id or "-"),
        ]
        with Vertical(classes="dialog message-dialog"):
            yield Label(f"{'Email' if m.channel == 'email' else 'Text'} {m.id}", classes="dialog-title")
            text = Text()
            for name, value in facts:
                text.append(f"{name:>11}  ", style="dim")
                text.append(f"{value}\n")
            yield Static(text, id="message-facts")
            with VerticalScroll(id="message-text"):
                subject = f"Subject: {m.subject}\n\n" if m.channel == "email" else ""
                yield Static(Text(subject + m.body), id="message-body")
            yield KeyHints()


class EditMessageDialog(ModalScreen[MessageView | None]):
    """Recipient, subject and body of a message not sent yet. `save` raises on bad input; the dialog stays."""

    BINDINGS = save_keys()

    def __init__(self, message: MessageView, save: Callable[[str, str, str], MessageView]) -> None:
        super().__init__()
        self.message = message
        self.save = save
        self._saving = False

    def compose(self) -> ComposeResult:
        m = self.message
        with Vertical(classes="dialog message-dialog"):
            yield Label(f"Edit {'email' if m.channel == 'email' else 'text'} {m.id}", classes="dialog-title")
            yield Label("To")
            yield Input(m.to_addr, id="edit-to")
            if m.channel == "email":
                yield Label("Subject")
                yield Input(m.subject, id="edit-subject")
            yield Label("Text")
            yield TextArea(m.body, id="edit-body")
            yield Label("", id="edit-error", classes="dialog-error")
            yield KeyHints("tab: next field")

    def on_mount(self) -> None:
        self.query_one("#edit-to", Input).focus()

    def action_save(self) -> None:
        to_addr = self.query_one("#edit-to", Input).value
        subjects = self.query("#edit-subject").results(Input)
        subject = next(subjects).value if self.message.channel == "email" else ""
        body = self.query_one("#edit-body", TextArea).text
        if self._saving:
            return
        self._saving = True  # a second ctrl+s while the first waits on the database saves nothing twice

        def refused(said: str) -> None:
            self._saving = False
            self.query_one("#edit-error", Label).update(said)

        run_effect(self, lambda: self.save(to_addr, subject, body), self.dismiss, refused=refused)


class OutboxScreen(UndoKeys, Screen[None]):
    BINDINGS = [
        Binding("enter", "open", "Read", id="outbox.open"),
        Binding("e", "edit", "Edit", id="outbox.edit"),
        Binding("r", "retry", "Retry", id="outbox.retry"),
        Binding("R", "release", "Release held", id="outbox.release"),
        Binding("c", "cancel", "Cancel msg", id="outbox.cancel"),
        Binding("n", "send_now", "Send now", id="outbox.send_now"),
        Binding("s", "send_due", "Send due", id="outbox.send_due"),
        Binding("right_square_bracket", "view(1)", "Next view", id="outbox.next_view"),
        Binding("left_square_bracket", "view(-1)", "Prev view", show=False, id="outbox.prev_view"),
        Binding("j", "cursor(1)", "Down", show=False, id="outbox.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="outbox.up"),
        Binding("comma", "settings", "Settings", id="outbox.settings"),
        *undo_keys("outbox"),
    ]

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.view_index = 0
        self.messages: list[MessageView] = []

    def compose(self) -> ComposeResult:
        with Horizontal(id="outbox-top"):
            yield Static("", id="outbox-views")
            yield OutboxBadge()
        table: DataTable[str | Text] = DataTable(id="outbox-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="outbox-detail")
        yield ProgressBar(id="outbox-progress", show_eta=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # What went wrong is in the pane below the table (it takes a line of its own).
        self._state_column, *_ = table.add_columns("State", "To", "Subject / text", "When", "Tries", "Job")
        self.set_interval(1, self._tick)
        self.query_one(ProgressBar).display = False
        self.watch(self.app, "outbox_counts", self._counts_changed)
        self.watch(self.app, "delivery_progress", self._progress)
        table.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    # Showing

    def _counts_changed(self, counts: dict[str, int]) -> None:
        self._show_views(counts)
        self.reload()

    def _show_views(self, counts: dict[str, int]) -> None:
        text = Text()
        for i, (name, states) in enumerate(VIEWS):
            n = sum(counts.get(s, 0) for s in (states or outbox.STATE_ORDER))
            style = "bold reverse" if i == self.view_index else "dim"
            text.append(f" {name} {n} ", style=style)
            text.append(" ")
        text.append("  [ ] switch view", style="dim italic")
        self.query_one("#outbox-views", Static).update(text)

    def reload(self) -> None:
        """Re-read the current view, keeping the cursor on the same message where it still is."""
        table = self.query_one(DataTable)
        current = self.current()
        _, states = VIEWS[self.view_index]
        self.messages = outbox.list_messages(self.db, states, limit=SHOWN_AT_MOST)
        table.clear()
        for m in self.messages:
            when = m.sent_at if m.state == "sent" and m.sent_at else m.send_at
            table.add_row(
                self._state_cell(m),
                m.to_addr or "(nobody)",
                first_line(m.subject if m.channel == "email" else f"(text) {m.body}", 34),
                local_minute(when),
                str(m.attempts),
                first_line(m.job_title, 20) or "-",
                key=str(m.id),
            )
        if current is not None:
            rows = [m.id for m in self.messages]
            if current.id in rows:
                table.move_cursor(row=rows.index(current.id))
        self._show_detail()

    def _state_cell(self, m: MessageView) -> Text:
        return Text(m.state_label(), style=self._state_style(m))

    def _state_style(self, m: MessageView) -> Style | str:
        if m.local_only:
            return theme_style(self, "local")
        if m.state in STATE_MEANING:
            return theme_style(self, STATE_MEANING[m.state], bold=m.state in ("failed", "held"))
        return "" if m.state == "queued" else "dim"

    def _tick(self) -> None:
        """The countdown of messages in their send delay, redrawn each second (only those cells)."""
        table = self.query_one(DataTable)
        recently = datetime.now(UTC) - timedelta(seconds=2)  # one last redraw when it comes due
        for m in self.messages:
            if m.state == "queued" and m.send_at > recently and str(m.id) in table.rows:
                table.update_cell(str(m.id), self._state_column, self._state_cell(m))

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()  # the table takes enter for itself: a selected row opens the message

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        m = self.current()
        detail = self.query_one("#outbox-detail", Static)
        if m is None:
            name, _ = VIEWS[self.view_index]
            detail.update(Text(f"No messages in “{name}”.", style="dim"))
            return
        text = Text()
        text.append(f"{m.channel} to {m.to_addr or '(nobody)'}", style="bold")
        if m.job_title:
            text.append(f" · job: {m.job_title}")
        if m.last_error:
            text.append(f"\n{m.last_error}", style=self._state_style(m) or "dim")
        if m.reply:
            text.append(f"\nwent to: {m.reply}", style=theme_style(self, "local") if m.local_only else "dim")
        text.append("\n" + "\n".join(m.body.strip().splitlines()[:3]), style="dim")
        detail.update(text)

    def _progress(self, progress: tuple[int, int]) -> None:
        done, total = progress
        bar = self.query_one(ProgressBar)
        bar.display = total > 0
        if total:
            bar.update(total=total, progress=done)

    def current(self) -> MessageView | None:
        table = self.query_one(DataTable)
        if not self.messages or not 0 <= table.cursor_row < len(self.messages):
            return None
        return self.messages[table.cursor_row]

    # Keys

    def action_view(self, step: int) -> None:
        self.view_index = (self.view_index + step) % len(VIEWS)
        self._show_views(studio(self).outbox_counts)  # kept fresh by the app
        self.reload()

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, table.cursor_row + step))

    def action_open(self) -> None:
        m = self.current()
        if m is None:
            return

        def then(choice: str | None) -> None:
            if choice == "edit":
                self.action_edit()

        self.app.push_screen(MessageDialog(outbox.get_message(self.db, m.id)), then)

    def action_edit(self) -> None:
        m = self.current()
        if m is None:
            return
        if m.state not in outbox.EDITABLE:
            self.notify(
                f"This message is {m.state}: only a queued, held or failed one can be edited.", severity="warning"
            )
            return

        def save(to_addr: str, subject: str, body: str) -> MessageView:
            return outbox.edit_message(self.db, m.id, to_addr, subject if m.channel == "email" else None, body)

        def then(saved: MessageView | None) -> None:
            if saved is not None:
                self.notify(f"Saved message {saved.id}.")
                self._changed()

        self.app.push_screen(EditMessageDialog(outbox.get_message(self.db, m.id), save), then)

    def action_retry(self) -> None:
        self._act(outbox.retry, "Back in the queue: it goes now.", deliver=True)

    def action_send_now(self) -> None:
        self._act(outbox.send_now, "Sending now.", deliver=True)

    def action_cancel(self) -> None:
        self._act(outbox.cancel, f"Cancelled {undo_hint(self)}.")

    def action_release(self) -> None:
        m = self.current()
        if m is None:
            return
        if m.state != "held":
            self.notify(f"This message is {m.state}: only a held one can be released.", severity="warning")
            return

        def then(answer: bool | NewEntry | None) -> None:
            if answer is True:  # the message asked about, wherever the cursor is by now
                self._act(outbox.release, "Released: it goes now.", deliver=True, message=m)

        question = f"“{m.last_error or 'held'}”\n\nSend this message to {m.to_addr or 'nobody'} (again)?"
        # The same yes/no picker as every other question here; it opens on the safe answer.
        choices = [("Send it (again)", True), ("Keep it held", False)]
        self.app.push_screen(PickerDialog(question, choices, current=1), then)

    def action_send_due(self) -> None:
        studio(self).deliver(asked=True)
        self.notify("Sending every message that is due…")

    def action_settings(self) -> None:
        from studioflow.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen())

    def _reload(self) -> None:
        self._changed()

    def _act(
        self,
        change: Callable[[Database, list[int]], object],
        done: str,
        deliver: bool = False,
        message: MessageView | None = None,
    ) -> None:
        m = message or self.current()
        if m is None:
            self.notify("No message here.", severity="warning")
            return
        run_effect(
            self, lambda: change(self.db, [m.id]), lambda _: self._changed(), said=done, refusal="warning", send=deliver
        )

    def _changed(self) -> None:
        studio(self).recount_outbox()
