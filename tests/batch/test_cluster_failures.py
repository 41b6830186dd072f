"""Why a unit did not come back from a dask cluster: one line per cause, saying what to do."""

from __future__ import annotations

from types import SimpleNamespace

from distributed.client import FutureCancelledError
from distributed.scheduler import KilledWorker

from hme_core.batch.cluster import cluster_failure, no_workers_seconds

ADDRESS = "tcp://127.0.0.1:8786"


def test_a_unit_whose_workers_kept_dying_names_the_attempts_and_the_last_worker():
    exc = KilledWorker("render_remote-1", SimpleNamespace(address="tcp://127.0.0.1:40001"), 3)
    message = cluster_failure(exc, ADDRESS)
    assert "4 attempts" in message and "tcp://127.0.0.1:40001" in message
    assert "worker logs" in message


def test_a_lost_scheduler_and_lost_scattered_data_are_told_apart():
    lost = cluster_failure(FutureCancelledError("k", "scheduler-connection-lost"), ADDRESS)
    data = cluster_failure(FutureCancelledError("k", "lost dependencies"), ADDRESS)
    assert f"lost the connection to the dask scheduler at {ADDRESS}" in lost
    assert "every dask worker holding this batch's data" in data


def test_any_other_error_of_the_cluster_is_one_line_with_its_type():
    message = cluster_failure(MemoryError("worker out of memory"), ADDRESS)
    assert message == "the cluster could not render this unit (MemoryError: worker out of memory)"


def test_the_wait_without_workers_follows_dasks_own_setting():
    import dask

    assert no_workers_seconds() == 60.0  # not set: our default
    with dask.config.set({"distributed.scheduler.no-workers-timeout": "7s"}):
        assert no_workers_seconds() == 7.0
