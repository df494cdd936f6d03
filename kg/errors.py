"""Problems found in input files, and the error hierarchy the CLI maps to exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import total_ordering
from pathlib import Path

# Exit codes, documented in the README: 0 clean, 1 problems in the input, 2 could not run,
# 3 stopped at a limit (time), 70 an internal error (a bug in govkg: sysexits' EX_SOFTWARE).
EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_ERROR = 2
EXIT_LIMIT = 3
EXIT_INTERNAL = 70


@total_ordering  # ordered as dataclass(order=True) orders, without compiling four more methods on every `kg` call
@dataclass(frozen=True)
class Problem:
    """One thing wrong in one input file, with where it is and what to do about it."""

    path: str
    line: int | None
    column: int | None
    code: str
    message: str

    def __lt__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Problem)
        return (self.path, self.line, self.column, self.code, self.message) < (other.path, other.line, other.column, other.code, other.message)

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message} [{self.code}]"

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }


def problem(path: str | Path, line: int | None, code: str, message: str, column: int | None = None) -> Problem:
    return Problem(str(path), line, column, code, message)


class KGError(Exception):
    """Base of every error govkg raises on purpose; its message is meant for a researcher."""

    exit_code = EXIT_ERROR


class InputError(KGError):
    """The input files have problems; carries every problem found, not only the first."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class NameNotFound(KGError):
    """A concept, claim or source name that matches nothing (or too much)."""

    exit_code = EXIT_PROBLEMS


class QueryError(KGError):
    """A query that cannot be run as asked: bad SPARQL, a refused SPARQL feature, contradictory options."""

    exit_code = EXIT_ERROR


def internal_error_message(exc: BaseException) -> str:
    """What the CLI says on an exception no code path expected: a bug in govkg, to report."""
    return (f"internal error (a bug in govkg, not a problem in your files): {type(exc).__name__}: {exc}\n"
            "Please report it with the command you ran and this message; `kg --debug …` shows the traceback.")


class LimitExceeded(KGError):
    """Work stopped at a limit it was given (a query past its --timeout)."""

    exit_code = EXIT_LIMIT
