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


def did_you_mean(word: str, options, *, n: int = 3, show=lambda option: option) -> str | None:
    """A hint naming the options closest to ``word``: similar spelling first, then
    options that contain it (so 'mental' finds 'mental-sundhed-og-psykiatri')."""
    import difflib

    options = list(options)
    close = difflib.get_close_matches(word, options, n=n, cutoff=0.5)
    lowered = word.casefold()
    for option in options:
        if len(close) >= n:
            break
        if option not in close and len(lowered) > 3 and lowered in option.casefold():
            close.append(option)
    return ("Mente du (did you mean): " + "; ".join(show(c) for c in close)) if close else None
