"""`make run`'s supervisor (scripts/run.py): a child that exits is started again after a
backoff, the others keep running, and stopping ends every child. Real processes throughout."""

import os
import sys
import time

from scripts.run import Supervisor

# A child that exits at once with code 3, and one that runs until it is stopped.
CRASHING = [sys.executable, "-c", "import sys; sys.exit(3)"]
RUNNING = [sys.executable, "-c", "import time; time.sleep(60)"]


def poll_for(supervisor, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        supervisor.poll()
        time.sleep(0.02)


def alive(pid) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_child_that_exits_is_started_again_and_the_others_keep_running(capsys):
    supervisor = Supervisor(
        {"worker": CRASHING, "web": RUNNING}, first_delay=0.2, max_delay=0.8, stable_after=30
    )
    supervisor.start()
    web = supervisor.processes["web"]
    try:
        poll_for(supervisor, 3)
        assert supervisor.restarts["worker"] >= 3
        assert web.poll() is None and supervisor.processes["web"] is web
        assert supervisor.restarts["web"] == 0
    finally:
        supervisor.stop()
    assert "worker exited with code 3; starting it again" in capsys.readouterr().out


def test_the_wait_doubles_while_a_child_keeps_failing_up_to_the_maximum():
    supervisor = Supervisor({"beat": CRASHING}, first_delay=0.1, max_delay=0.4, stable_after=30)
    supervisor.start()
    delays = []
    try:
        deadline = time.monotonic() + 5
        while len(delays) < 5 and time.monotonic() < deadline:
            supervisor.poll()
            # Each exit schedules one restart: record its delay once.
            if "beat" in supervisor.restart_at and (
                not delays or delays[-1][0] != supervisor.restart_at["beat"]
            ):
                delays.append((supervisor.restart_at["beat"], supervisor.delays["beat"]))
            time.sleep(0.01)
    finally:
        supervisor.stop()
    assert [delay for _, delay in delays] == [0.1, 0.2, 0.4, 0.4, 0.4]


def test_a_child_that_ran_a_while_is_started_again_at_once():
    supervisor = Supervisor({"worker": CRASHING}, first_delay=5, max_delay=30, stable_after=0)
    supervisor.start()
    try:
        poll_for(supervisor, 0.5)
        assert supervisor.restarts["worker"] >= 2
        assert supervisor.delays["worker"] == 0
    finally:
        supervisor.stop()


def test_stopping_ends_every_child_including_one_started_again():
    supervisor = Supervisor(
        {"worker": [sys.executable, "-c", "import time; time.sleep(0.3)"], "web": RUNNING},
        first_delay=0.1,
        stable_after=30,
    )
    supervisor.start()
    poll_for(supervisor, 1)
    assert supervisor.restarts["worker"] >= 1
    children = [process.pid for process in supervisor.processes.values()]
    supervisor.stop()
    assert supervisor.processes == {}
    assert not any(alive(pid) for pid in children)
    poll_for(supervisor, 0.3)
    assert supervisor.processes == {}
