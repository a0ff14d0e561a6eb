"""Writers to a SQLite file take turns: threads of a process, and processes."""

from __future__ import annotations

import multiprocessing
import threading
import time
from multiprocessing.synchronize import Event
from pathlib import Path

from sqlalchemy import create_engine

from fieldwork import writers


def _hold_turn(url: str, entered: Event, release: Event) -> None:
    with writers.turn(create_engine(url)):
        entered.set()
        release.wait(10)


def test_threads_take_turns(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'a.db'}")
    inside, most = 0, 0
    lock = threading.Lock()

    def write() -> None:
        nonlocal inside, most
        for _ in range(20):
            with writers.turn(engine):
                with lock:
                    inside += 1
                    most = max(most, inside)
                time.sleep(0.0005)
                with lock:
                    inside -= 1

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1


def test_a_process_waits_for_another_processes_turn(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    spawn = multiprocessing.get_context("spawn")
    entered, release = spawn.Event(), spawn.Event()
    other = spawn.Process(target=_hold_turn, args=(url, entered, release))
    other.start()
    try:
        assert entered.wait(30), "the other process never got its turn"
        got_turn = threading.Event()

        def wait_for_turn() -> None:
            with writers.turn(create_engine(url)):
                got_turn.set()

        waiter = threading.Thread(target=wait_for_turn)
        waiter.start()
        assert not got_turn.wait(0.3), "two processes wrote at once"
        release.set()
        assert got_turn.wait(10), "the turn was not handed on"
        waiter.join()
    finally:
        release.set()
        other.join(10)


def test_other_databases_do_not_queue(tmp_path: Path) -> None:
    memory = create_engine("sqlite://")
    with writers.turn(memory), writers.turn(memory):  # no lock to wait for
        pass
    assert not list(tmp_path.iterdir())
