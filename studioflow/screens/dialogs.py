"""Small modal dialogs shared by the screens: pick from a filtered list, type a line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from studioflow.errors import StudioflowError
from studioflow.screens.effects import run_effect
from studioflow.store import Database
from studioflow.store.text import fold, matches
from studioflow.widgets.keys import KeyHints
from studioflow.workflow.values import parse_date

Value = TypeVar("Value")


def save_keys(scope: str = "dialog", *, cancelled: str = "None") -> list[BindingType]:
    """An editing dialog's keys: escape cancels (dismissing with `cancelled`), ctrl+s saves;
    their ids start with `scope` ("dialog.save"), as the user's [keys] name them."""
    return [
        Binding("escape", f"dismiss({cancelled})", "Cancel", id=f"{scope}.cancel"),
        # priority: a key the user gives it in [keys] saves even in a text field that has a use
        # for it (ctrl+w deletes a word in one), as the dialog's line of keys then says.
        Binding("ctrl+s", "save", "Save", priority=True, id=f"{scope}.save"),
    ]


class DialogBody(VerticalScroll, can_focus=False):
    """A dialog's fields, scrolled so that the focused one is in view on a small terminal."""


@dataclass(frozen=True)
class NewEntry:
    """Returned by a picker when the user chose to create what they typed."""

    text: str


class PickerDialog(ModalScreen[Value | NewEntry | None], Generic[Value]):
    """A title, a filter line and the matching choices; enter picks, escape cancels."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="dialog.cancel"),
        Binding("down", "cursor(1)", "Next", show=False, id="dialog.next"),
        Binding("up", "cursor(-1)", "Previous", show=False, id="dialog.previous"),
    ]

    def __init__(
        self, title: str, choices: Sequence[tuple[str, Value]], *, new_label: str | None = None, current: int = 0
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.new_label = new_label  # e.g. "new client": offer to create what was typed
        self.current = current
        self._shown: list[Value | NewEntry] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Input(placeholder="type to filter", id="picker-filter")
            yield OptionList(id="picker-options", markup=False)

    def on_mount(self) -> None:
        self._fill("")
        options = self.query_one(OptionList)
        if self._shown:
            options.highlighted = min(self.current, len(self._shown) - 1)

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _submit(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and self._shown:
            self.dismiss(self._shown[options.highlighted])

    @on(OptionList.OptionSelected, "#picker-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._shown[event.option_index])

    def action_cursor(self, step: int) -> None:
        options = self.query_one(OptionList)
        if self._shown:
            current = options.highlighted if options.highlighted is not None else -step
            options.highlighted = (current + step) % len(self._shown)

    def _fill(self, text: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        self._shown = []
        for label, value in self.choices:
            if matches(text, label):
                options.add_option(Option(label))
                self._shown.append(value)
        typed = text.strip()
        if self.new_label and typed and fold(typed) not in (fold(label) for label, _ in self.choices):
            options.add_option(Option(f"+ {self.new_label} “{typed}”"))
            self._shown.append(NewEntry(typed))
        if self._shown:
            options.highlighted = 0


class PromptDialog(ModalScreen[str | None]):
    """One line of text; enter accepts, escape cancels."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")

    @on(Input.Submitted, "#prompt-input")
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


def confirm(screen: DOMNode, question: str, yes: str, then: Callable[[], object]) -> None:
    """Ask before a change that cannot be undone; `then` runs on a yes only ("Keep it" is the other answer)."""

    def answered(answer: bool | NewEntry | None) -> None:
        if answer is True:
            then()

    screen.app.push_screen(PickerDialog(question, [(yes, True), ("Keep it", False)]), answered)


def ask_text(screen: DOMNode, title: str, value: str, then: Callable[[str], object]) -> None:
    """Ask for a line of text, starting as `value`; `then` runs only when some was typed
    (escape or an empty line changes nothing)."""

    def answered(text: str | None) -> None:
        if text:
            then(text)

    screen.app.push_screen(PromptDialog(title, value), answered)


class ListDialog(ModalScreen[None], Generic[Value]):
    """A dialog that lists rows for its keys to act on (job statuses, templates, a stage's
    automations, archived jobs): `_reload` reads them into `rows` when it opens and after a
    change, and `_row` is the one under the highlight (`NOTHING` is said when there is none)."""

    NOTHING: ClassVar[str] = ""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.rows: list[Value] = []

    def on_mount(self) -> None:
        self._reload()

    def _reload(self) -> None:
        raise NotImplementedError

    def _row(self) -> Value | None:
        return highlighted(self.query_one(OptionList), self.rows, self.NOTHING)


def list_dialog(title: str | Label, list_id: str, classes: str = "dialog") -> Vertical:
    """The body of a dialog that lists rows for its keys to act on: a title, the list, a line of keys.
    A title given as a Label is one the dialog re-writes (with markup) when it loads."""
    if isinstance(title, str):
        title = Label(title, classes="dialog-title", markup=False)
    return Vertical(title, OptionList(id=list_id, markup=False), KeyHints(), classes=classes)


def refill(options: OptionList, labels: Sequence[str | Text], keep: int | None = None, empty: str = "") -> None:
    """Show `labels` in a dialog's list with the highlight near where it was (or at `keep`), and
    focus it; `empty`, if given, stands greyed in the list when there is nothing."""
    keep = options.highlighted if keep is None else keep
    options.clear_options()
    if not labels and empty:
        options.add_option(Option(empty, disabled=True))
    options.add_options([Option(label) for label in labels])
    if labels:
        options.highlighted = max(0, min(keep or 0, len(labels) - 1))
    options.focus()


def highlighted(options: OptionList, rows: Sequence[Value], nothing: str = "") -> Value | None:
    """The row under the list's highlight; None when there is none, and `nothing`, if given, said."""
    index = options.highlighted
    if index is not None and index < len(rows):
        return rows[index]
    if nothing:
        options.notify(nothing, severity="warning")
    return None


@dataclass(frozen=True)
class JobForm:
    """What the job dialog returns: the client is an id, a name to create, or None."""

    title: str
    client: int | NewEntry | None
    due_on: date | None


class JobDialog(ModalScreen[JobForm | None]):
    """New or edited job: title, a client picked from a filtered list (or created), due date."""

    BINDINGS = save_keys()

    def __init__(
        self,
        heading: str,
        clients: Sequence[tuple[str, int]],
        title: str = "",
        client_id: int | None = None,
        due_on: date | None = None,
    ) -> None:
        super().__init__()
        self.heading = heading
        self.clients = list(clients)
        self.initial = (title, client_id, due_on)
        self._shown: list[int | NewEntry | None] = []

    def compose(self) -> ComposeResult:
        title, client_id, due_on = self.initial
        client_name = next((name for name, cid in self.clients if cid == client_id), "")
        with DialogBody(classes="dialog job-dialog"):
            yield Label(self.heading, classes="dialog-title", markup=False)
            yield Label("Title")
            yield Input(title, id="job-title")
            yield Label("Client (type to filter; enter picks)")
            yield Input(client_name, id="job-client")
            yield OptionList(id="job-clients", markup=False)
            yield Label("Due date (YYYY-MM-DD, empty for none)")
            yield Input(due_on.isoformat() if due_on else "", placeholder="YYYY-MM-DD", id="job-due")
            yield Label("", id="job-error", classes="dialog-error")
            yield KeyHints("tab: next field")

    def on_mount(self) -> None:
        self._fill(self.query_one("#job-client", Input).value)
        self.query_one("#job-title", Input).focus()

    @on(Input.Changed, "#job-client")
    def _filter_clients(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#job-title")
    def _title_done(self) -> None:
        self.query_one("#job-client", Input).focus()

    @on(Input.Submitted, "#job-client")
    def _client_done(self) -> None:
        self.query_one("#job-due", Input).focus()

    @on(Input.Submitted, "#job-due")
    def _due_done(self) -> None:
        self.action_save()

    def on_key(self, event: events.Key) -> None:
        # Up and down in the client line walk the list of matching clients.
        if self.focused is self.query_one("#job-client") and event.key in ("up", "down"):
            options = self.query_one("#job-clients", OptionList)
            if self._shown:
                step = 1 if event.key == "down" else -1
                options.highlighted = ((options.highlighted or 0) + step) % len(self._shown)
            event.stop()

    def action_save(self) -> None:
        title = self.query_one("#job-title", Input).value.strip()
        due_text = self.query_one("#job-due", Input).value.strip()
        error = self.query_one("#job-error", Label)
        if not title:
            error.update("A job needs a title.")
            self.query_one("#job-title", Input).focus()
            return
        try:
            due = parse_date(due_text, "the due date") if due_text else None
        except StudioflowError as exc:
            error.update(str(exc))
            self.query_one("#job-due", Input).focus()
            return
        options = self.query_one("#job-clients", OptionList)
        client = self._shown[options.highlighted] if options.highlighted is not None and self._shown else None
        self.dismiss(JobForm(title, client, due))

    def _fill(self, text: str) -> None:
        words = text.split()
        options = self.query_one("#job-clients", OptionList)
        options.clear_options()
        self._shown = [None]
        options.add_option(Option("(no client)"))
        typed = text.strip()
        best = exact = own = 0
        for name, cid in self.clients:
            if matches(text, name):
                options.add_option(Option(name))
                self._shown.append(cid)
                index = len(self._shown) - 1
                if words and best == 0:
                    best = index
                if fold(name) == fold(typed):
                    exact = exact or index
                    if cid == self.initial[1]:
                        own = index  # the job's own client, not a namesake
        best = own or exact or best
        if typed and fold(typed) not in (fold(name) for name, _ in self.clients):
            options.add_option(Option(f"+ new client “{typed}”"))
            self._shown.append(NewEntry(typed))
            if best == 0:
                best = len(self._shown) - 1
        options.highlighted = best


@dataclass(frozen=True)
class Field:
    """One line of a form: the key it is returned under, its label, its starting value."""

    key: str
    label: str
    value: str = ""
    placeholder: str = ""


class FormDialog(ModalScreen[bool]):
    """Labelled one-line fields. Saving hands the values to `submit`, which calls a service,
    off the UI thread (see run_effect): a refusal (StudioflowError) or a busy database is
    shown in the dialog, which stays open to fix it or try again; `said` once saved."""

    BINDINGS = save_keys(cancelled="False")

    def __init__(
        self,
        heading: str,
        fields: Sequence[Field],
        submit: Callable[[dict[str, str]], Any],
        said: str | Callable[[Any], str] | None = None,
    ) -> None:
        super().__init__()
        self.heading = heading
        self.fields = list(fields)
        self.submit = submit
        self.said = said
        self._saving = False  # a second ctrl+s while the first waits on the database saves nothing twice

    def compose(self) -> ComposeResult:
        with DialogBody(classes="dialog form-dialog"):
            yield Label(self.heading, classes="dialog-title", markup=False)
            for field in self.fields:
                yield Label(field.label, markup=False)
                yield Input(field.value, placeholder=field.placeholder, id=f"form-{field.key}")
            yield Label("", id="form-error", classes="dialog-error", markup=False)
            yield KeyHints("enter: next field (saves on the last)")

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index == len(inputs) - 1:
            self.action_save()
        else:
            inputs[index + 1].focus()

    def action_save(self) -> None:
        if self._saving:
            return
        values = {field.key: self.query_one(f"#form-{field.key}", Input).value for field in self.fields}
        self._saving = True

        def refused(said: str) -> None:
            self._saving = False
            self.query_one("#form-error", Label).update(said)

        run_effect(self, lambda: self.submit(values), lambda _: self.dismiss(True), said=self.said, refused=refused)


class TextDialog(ModalScreen[str | None]):
    """A multi-line text (notes) edited in place; ctrl+s saves, escape cancels."""

    BINDINGS = save_keys()

    def __init__(self, heading: str, text: str) -> None:
        super().__init__()
        self.heading = heading
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog text-dialog"):
            yield Label(self.heading, classes="dialog-title", markup=False)
            yield TextArea(self.text, id="text-body")
            yield KeyHints()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)
