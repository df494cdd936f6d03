"""Running one piece of work with a time limit: in a forked child process, killed when the limit passes."""

from __future__ import annotations

import multiprocessing
import threading

from kg.errors import EXIT_ERROR, EXIT_INTERNAL, KGError, LimitExceeded, internal_error_message

_DEEP = "the query is nested too deep to run: write long expressions in steps (BIND), or with fewer brackets"


def _child(conn, fn) -> None:
    try:
        conn.send((True, fn()))
    except KGError as exc:
        conn.send((False, (str(exc), exc.exit_code)))
    except RecursionError:  # rdflib evaluates expressions recursively: a query nested too deep for it
        conn.send((False, (f"{_DEEP}", EXIT_ERROR)))
    except BaseException as exc:  # reported by the parent as an internal error, with what happened
        conn.send((False, (internal_error_message(exc), EXIT_INTERNAL)))
    finally:
        conn.close()


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
    if "fork" not in multiprocessing.get_all_start_methods():
        box: list = []
        t = threading.Thread(target=lambda: box.append(_safe(fn)), daemon=True)
        t.start()
        t.join(timeout)
        if not box:
            raise LimitExceeded(message)
        ok, value = box[0]
        return value if ok else _raise(*value)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, fn), daemon=True)
    proc.start()
    send.close()
    try:
        if not receive.poll(timeout):
            raise LimitExceeded(message)
        try:
            ok, value = receive.recv()
        except EOFError:
            _raise(f"{what} stopped without an answer (its process ended, exit code {proc.exitcode})", EXIT_INTERNAL)
        return value if ok else _raise(*value)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        receive.close()


def _safe(fn):
    try:
        return True, fn()
    except KGError as exc:
        return False, (str(exc), exc.exit_code)
    except RecursionError:
        return False, (_DEEP, EXIT_ERROR)
    except Exception as exc:
        return False, (internal_error_message(exc), EXIT_INTERNAL)
