"""kg.cores.across_cores: the answers in order, or None (the caller then does the work itself) where no pool may run."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from kg.cores import PARALLEL_BYTES, across_cores, bytes_of


@pytest.fixture(autouse=True)
def two_workers(monkeypatch):
    monkeypatch.setenv("GOVKG_WORKERS", "2")


def _square(i: int) -> int:
    return i * i


def test_the_answers_come_in_the_tasks_order_each_from_a_process_of_its_own():
    assert across_cores(_square, 7, PARALLEL_BYTES) == [i * i for i in range(7)]
    pids = across_cores(lambda i: os.getpid(), 4, PARALLEL_BYTES)
    assert pids is not None and os.getpid() not in pids


def test_one_worker_one_task_or_little_work_runs_no_pool(monkeypatch, tmp_path):
    assert across_cores(_square, 1, PARALLEL_BYTES) is None
    (tmp_path / "small").write_bytes(b"x" * 10)
    assert across_cores(_square, 5, bytes_of([tmp_path / "small", tmp_path / "gone"])) is None  # 10 bytes: not worth a pool
    monkeypatch.setenv("GOVKG_WORKERS", "1")
    assert across_cores(_square, 5, PARALLEL_BYTES) is None


def test_a_worker_that_dies_gives_none_instead_of_waiting_for_it():
    assert across_cores(lambda i: os._exit(1) if i == 2 else i, 4, PARALLEL_BYTES) is None


def _nested(_: int) -> object:
    return across_cores(_square, 3, PARALLEL_BYTES)


def test_a_pools_worker_starts_no_pool_of_its_own():
    with multiprocessing.get_context("fork").Pool(1) as pool:  # its worker is a daemonic process
        assert pool.map(_nested, [0]) == [None]
