"""Textual bindings made from the action table (:mod:`cc_console.actions`).

Every binding of an action carries the id ``cc.<action id>``, so the App's
keymap (built from ``[keys]``) remaps it wherever it is bound.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from cc_console.actions import BY_ID, Action, actions_in

__all__ = ["bind", "bind_scopes"]


def _binding(action: Action, target: str | None = None) -> Binding:
    return Binding(action.key, target or action.target, action.id, show=False, id=f"cc.{action.id}")


def bind_scopes(*scopes: str) -> list[BindingType]:
    """The bindings of every action of ``scopes``, each running its own target."""
    return [_binding(a) for a in actions_in(*scopes)]


def bind(*ids: str, target: str) -> list[BindingType]:
    """The keys of actions ``ids`` bound to another ``target`` (e.g. Esc closing a dialog)."""
    return [_binding(BY_ID[i], target) for i in ids]
