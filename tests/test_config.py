"""Configuration: secrets made on first start, the same for every process."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path
from typing import Any

import pytest

from fieldwork import create_app
from fieldwork.config import instance_secret

_fork = multiprocessing.get_context("fork")


def _read_after(barrier: Any, folder: str, results: Any) -> None:
    barrier.wait()
    results.put(instance_secret(Path(folder), "secret_key"))


def test_workers_starting_at_once_share_one_secret(tmp_path: Path) -> None:
    """Each gunicorn worker used to write its own key: cookies signed by one were refused
    by the next, and the same address hashed differently."""
    for round_number in range(40):
        folder = tmp_path / str(round_number)
        barrier, results = _fork.Barrier(8), _fork.Queue()
        workers = [
            _fork.Process(target=_read_after, args=(barrier, str(folder), results))
            for _ in range(8)
        ]
        for worker in workers:
            worker.start()
        secrets = {results.get(timeout=30) for _ in workers}
        for worker in workers:
            worker.join()
        assert len(secrets) == 1 and "" not in secrets
        assert [p.name for p in folder.iterdir()] == ["secret_key"]  # no draft left


def test_the_secret_file_is_private(tmp_path: Path) -> None:
    instance_secret(tmp_path, "ip_hash_key")
    assert stat.S_IMODE((tmp_path / "ip_hash_key").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ({"BABEL_DEFAULT_TIMEZONE": "Mars/Olympus"}, "'Mars/Olympus' is not a time zone name"),
        ({"PROXIES": "one"}, "FIELDWORK_PROXIES: how many reverse proxies"),
        ({"PROXIES": "-1"}, "a whole number from 0"),
        ({"RESUME_DAYS": "thirty"}, "FIELDWORK_RESUME_DAYS: how many days a resume code"),
        ({"STAFF_SESSION_HOURS": "0"}, "a whole number from 1 to 720"),
    ],
)
def test_a_setting_no_request_could_use_stops_the_start_with_a_clear_message(
    setting: dict[str, str], words: str
) -> None:
    with pytest.raises(RuntimeError, match=words):
        create_app({**setting, "SECRET_KEY": "x"})


def test_counts_from_the_environment_become_numbers() -> None:
    settings = {"PROXIES": "2", "RESUME_DAYS": "7", "STAFF_SESSION_HOURS": "8"}
    config = create_app({**settings, "SECRET_KEY": "x"}).config
    assert (config["PROXIES"], config["RESUME_DAYS"], config["STAFF_SESSION_HOURS"]) == (2, 7, 8)
