"""The user's keys: every binding id the app declares, with the `[keys]` table of config.toml over it.

Textual applies the keymap itself (`App.set_keymap`); this module knows what Textual does
not say up front: which ids exist and which keys a remap makes collide (the key a notice
names, "u to undo", is `widgets.keys.key_for`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import _normalize_key_list

import studioflow.screens
import studioflow.widgets


@dataclass(frozen=True)
class KeyView:
    """One binding id: the keys that run it now, its own (default) keys, what it does, where."""

    id: str
    keys: str
    default: str
    does: str
    where: str


def namespaces(app_class: type[DOMNode]) -> list[tuple[type[DOMNode], list[Binding]]]:
    """Every class of the app, its screens and its widgets that declares bindings, with its bindings
    as Textual merges them (inherited ones included). Imports every screen: for `studioflow keys`
    and for checking a keymap, never on the way to the first frame."""
    classes: list[type[DOMNode]] = [app_class]
    for package in (studioflow.screens, studioflow.widgets):
        for module_info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            module = importlib.import_module(module_info.name)
            classes.extend(
                value
                for value in vars(module).values()
                if isinstance(value, type)
                and issubclass(value, DOMNode)
                and value.__module__ == module.__name__
                and "BINDINGS" in value.__dict__
            )
    found = []
    for cls in classes:
        merged = cls._merge_bindings()
        bindings = [binding for key_bindings in merged.key_to_bindings.values() for binding in key_bindings]
        if any(binding.id for binding in bindings):
            found.append((cls, bindings))
    return found


def key_table(app_class: type[DOMNode], keymap: Mapping[str, str]) -> list[KeyView]:
    """Every binding id once, in the order the app declares them, with the user's keys where set."""
    defaults: dict[str, list[str]] = {}
    does: dict[str, str] = {}
    where: dict[str, list[str]] = {}
    for cls, bindings in namespaces(app_class):
        for binding in bindings:
            if binding.id is None:
                continue
            keys = defaults.setdefault(binding.id, [])
            if binding.key not in keys:
                keys.append(binding.key)
            does.setdefault(binding.id, binding.description or binding.action)
            if cls.__name__ not in where.setdefault(binding.id, []):
                where[binding.id].append(cls.__name__)
    normal = _normal(keymap)
    return [
        KeyView(
            id=binding_id,
            keys=normal.get(binding_id, ",".join(keys)),
            default=",".join(keys),
            does=does[binding_id],
            where=", ".join(where[binding_id]),
        )
        for binding_id, keys in defaults.items()
    ]


def keymap_problems(app_class: type[DOMNode], keymap: Mapping[str, str]) -> list[str]:
    """What is wrong with a keymap, a line each: an id no binding has, or a key it gives to two
    bindings of one screen (only clashes the keymap made: a screen's own keys are by design)."""
    normal = _normal(keymap)
    found = namespaces(app_class)
    known = {binding.id for _, bindings in found for binding in bindings if binding.id}
    problems = [
        f"{binding_id} is not a key binding id (`studioflow keys` lists them)"
        for binding_id in normal
        if binding_id not in known
    ]
    for cls, bindings in found:
        defaults: dict[str, list[str]] = {}  # binding id -> its own keys on this screen
        for binding in bindings:
            if binding.id:
                defaults.setdefault(binding.id, []).append(binding.key)
        taken: dict[str, str] = {}  # key -> the binding id that has it on this screen
        for binding_id, keys in defaults.items():
            for key in normal[binding_id].split(",") if binding_id in normal else keys:
                other = taken.setdefault(key, binding_id)
                if other != binding_id and (binding_id in normal or other in normal):
                    problem = f"{other} and {binding_id} are both {key} in {cls.__name__}"
                    if problem not in problems:
                        problems.append(problem)
    return problems


def _normal(keymap: Mapping[str, str]) -> dict[str, str]:
    """Keys as Textual compares them ("?" is "question_mark")."""
    return {binding_id: _normalize_key_list(keys) for binding_id, keys in keymap.items()}
