"""The files a fix reads, each read once, named relative to the checked folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tagwarden.iac_checks.terraform.hcl.ir import HclFile
from tagwarden.iac_checks.terraform.hcl.parser import parse_hcl


class Sources:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._texts: dict[str, str] = {}
        self._parsed: dict[str, Any] = {}

    def path(self, file: str) -> Path:
        return self.root / file

    def text(self, file: str) -> str:
        if file not in self._texts:
            # newline="" keeps \r\n as written: every byte we do not edit stays as it was
            with self.path(file).open(encoding="utf-8", newline="") as stream:
                self._texts[file] = stream.read()
        return self._texts[file]

    def hcl(self, file: str) -> HclFile:
        if file not in self._parsed:
            self._parsed[file] = parse_hcl(self.text(file))
        parsed: HclFile = self._parsed[file]
        return parsed

    def files(self) -> dict[str, str]:
        return dict(self._texts)


def line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    if end < 0:
        return len(text)
    return end - 1 if end > 0 and text[end - 1] == "\r" else end


def next_line_start(text: str, offset: int) -> int:
    """The offset after the newline that ends the line holding ``offset`` (past a whole ``\r\n``)."""
    end = text.find("\n", offset)
    return len(text) if end < 0 else end + 1


def indent_at(text: str, offset: int) -> str:
    start = line_start(text, offset)
    line = text[start : line_end(text, start)]
    return line[: len(line) - len(line.lstrip(" \t"))]


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"
