"""The entries of the family modules' explicit function lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple


class Builtin(NamedTuple):
    """One Terraform function as a family module lists it; :mod:`.registry` turns it into a Function."""

    name: str
    impl: Callable[..., Any]
    unknown_aware: bool = False
    lazy: bool = False
