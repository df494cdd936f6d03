"""Running one piece of work with a time limit: in a forked child process, killed when the limit passes."""

from __future__ import annotations

import marshal
import os
import sys
import threading

from kg.errors import EXIT_ERROR, EXIT_INTERNAL, KGError, LimitExceeded, internal_error_message

_DEEP = "the query is nested too deep to run: write long expressions in steps (BIND), or with fewer brackets"


def _raise(message: str, code: int):
    err = KGError(message)
    err.exit_code = code
    raise err


def call_with_time_limit(fn, timeout: float | None, what: str = "the query"):
    """fn() if it finishes within `timeout` seconds, else LimitExceeded; a KGError inside keeps its message and exit code.

    Where fork exists, fn runs in a forked child that is killed at the limit, so nothing of a
    runaway computation is left (rdflib and pyoxigraph have no way to stop a query once started).
    Elsewhere it runs in a thread that is left behind: the command exits anyway. fn's value must pickle.
    The `kg` command forks before it opens any store; a long-lived process that has already opened an
    Oxigraph (RocksDB) store should not fork through here, since RocksDB's threads do not survive a fork.
    """
    if timeout is None:
        return fn()
    if not timeout > 0:
        raise KGError(f"a time limit must be more than 0 seconds, not {timeout:g}")
    message = f"{what} ran longer than {timeout:g} s and was stopped: narrow it, add LIMIT, or give a longer --timeout"
    if not hasattr(os, "fork"):
        box: list = []
        t = threading.Thread(target=lambda: box.append(_safe(fn)), daemon=True)
        t.start()
        t.join(timeout)
        if not box:
            raise LimitExceeded(message)
        ok, value = box[0]
        return value if ok else _raise(*value)
    # os.fork and a pipe rather than multiprocessing, whose import costs a `kg sparql` more than its query
    import select

    receive, send = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, then leave without the parent's exit handlers
        _answer(send, fn)
    os.close(send)
    try:
        if not select.select([receive], [], [], timeout)[0]:
            raise LimitExceeded(message)
        chunks = []
        while chunk := os.read(receive, 1 << 20):
            chunks.append(chunk)
        if not chunks:
            _raise(f"{what} stopped without an answer (its process ended, exit code {_exit_code(pid)})", EXIT_INTERNAL)
        ok, value = _decode(b"".join(chunks))
        return value if ok else _raise(*value)
    finally:
        os.close(receive)
        _exit_code(pid, kill=True)


def _answer(send: int, fn) -> None:
    """In the forked child: fn's outcome, pickled, written to the pipe; then os._exit."""
    code = 0
    try:
        try:
            data = _encode(_safe(fn, everything=True))
        except BaseException as exc:  # an answer that does not pickle: the parent reports it as an internal error
            data = _encode((False, (internal_error_message(exc), EXIT_INTERNAL)))
        with os.fdopen(send, "wb") as f:
            f.write(data)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _encode(outcome: tuple) -> bytes:
    """marshal for plain values (text: what `kg sparql` sends back, and no pickle imported on either side), else pickle."""
    try:
        return b"M" + marshal.dumps(outcome)
    except ValueError:
        import pickle

        return b"P" + pickle.dumps(outcome)


def _decode(data: bytes) -> tuple:
    if data[:1] == b"M":
        return marshal.loads(data[1:])
    import pickle

    return pickle.loads(data[1:])


def _exit_code(pid: int, kill: bool = False) -> int | None:
    """The child's exit code once it ended (negative: the signal that ended it), killing it first if asked; None if reaped."""
    if kill:
        import signal

        try:
            os.kill(pid, signal.SIGKILL)  # a runaway query has no way to be asked to stop
        except ProcessLookupError:
            pass
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(status)


def _safe(fn, everything: bool = False):
    """(True, fn()) or (False, (message, exit code)); `everything`: also SystemExit and KeyboardInterrupt (in a child)."""
    try:
        return True, fn()
    except KGError as exc:
        return False, (str(exc), exc.exit_code)
    except RecursionError:  # rdflib evaluates expressions recursively: a query nested too deep for it
        return False, (_DEEP, EXIT_ERROR)
    except Exception as exc:
        return False, (internal_error_message(exc), EXIT_INTERNAL)
    except BaseException as exc:
        if not everything:
            raise
        return False, (internal_error_message(exc), EXIT_INTERNAL)
