"""One error base class for everything a user can get wrong.

Each subclass carries the fields a user needs, and ``__str__`` is written once
here. ``exit_code`` is the code the command line exits with (README: exit codes).
"""

from __future__ import annotations


class RammegrafError(Exception):
    """Something the user can fix; printed as one sentence, never a traceback."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        return f"{text}\n  {self.hint}" if self.hint else text

    def where(self) -> str:
        return ""


class LoadError(RammegrafError):
    """A file that cannot be read or parsed: file, line and column when known."""

    def __init__(self, message: str, *, file: str, line: int | None = None,
                 column: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.file = file
        self.line = line
        self.column = column

    def where(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(f"linje {self.line}")
        if self.column is not None:
            parts.append(f"kolonne {self.column}")
        return ", ".join(parts)
