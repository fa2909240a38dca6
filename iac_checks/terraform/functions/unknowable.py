"""Functions whose values are only known at apply time, or read from disk (the evaluator does no I/O):
always Unknown, naming what they wait for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tagwarden.engine.resources import Unknown
from tagwarden.iac_checks.terraform.functions.spec import Builtin
from tagwarden.iac_checks.terraform.functions.values import unique, unknown_of

# ----------------------------------------------------------------------------------------------
# Values only known at apply time, or read from disk (the evaluator does no I/O)


def _never_known(label: str) -> Callable[..., Unknown]:
    def unknown(*args: Any) -> Unknown:
        return Unknown(unique([label, *unknown_of(*args).depends_on]))

    return unknown


def _file_function(name: str) -> Callable[..., Unknown]:
    def read(path: Any, *rest: Any) -> Unknown:
        label = f"{name}({path})" if isinstance(path, str) else f"{name}(...)"
        return Unknown(unique([label, *unknown_of(path, *rest).depends_on]))

    return read


_FILE_FUNCTIONS = (
    "file",
    "filebase64",
    "filebase64sha256",
    "filebase64sha512",
    "fileexists",
    "filemd5",
    "fileset",
    "filesha1",
    "filesha256",
    "filesha512",
    "templatefile",
    "abspath",
    "pathexpand",
)


UNKNOWABLE_FUNCTIONS: tuple[Builtin, ...] = (
    Builtin("uuid", _never_known("uuid()"), unknown_aware=True),
    Builtin("timestamp", _never_known("timestamp()"), unknown_aware=True),
    Builtin("plantimestamp", _never_known("plantimestamp()"), unknown_aware=True),
    Builtin("bcrypt", _never_known("bcrypt()"), unknown_aware=True),
    *(Builtin(name, _file_function(name), unknown_aware=True) for name in _FILE_FUNCTIONS),
)
