"""Every remediation action, in the order the planner tries them."""

from __future__ import annotations

from collections.abc import Sequence

from tagwarden.remediations.actions.add_tag import AddTag
from tagwarden.remediations.actions.escalate import Escalate
from tagwarden.remediations.actions.interface import Action
from tagwarden.remediations.actions.mark_deadline import MarkDeadline
from tagwarden.remediations.actions.normalise_value import NormaliseValue
from tagwarden.remediations.actions.notify_owner import NotifyOwner
from tagwarden.remediations.actions.rename_key import RenameKey
from tagwarden.remediations.actions.stop import Stop


def _unique(actions: Sequence[Action]) -> tuple[Action, ...]:
    names = [action.name for action in actions]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"actions registered twice: {', '.join(duplicates)}")
    return tuple(actions)


# tried in order; the first proposal with a change fixes the finding
FIX_ACTIONS: tuple[Action, ...] = _unique([RenameKey(), NormaliseValue(), AddTag()])
# for findings no fix action fixed: every one that applies contributes
FOLLOW_UP_ACTIONS: tuple[Action, ...] = _unique([MarkDeadline(), NotifyOwner(), Escalate(), Stop()])
ALL_ACTIONS: tuple[Action, ...] = _unique([*FIX_ACTIONS, *FOLLOW_UP_ACTIONS])
