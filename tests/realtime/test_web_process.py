"""The web process's garbage collector settings (backend/asgi.py), seen from a fresh process.

They keep full collections out of the fan-out of an event to a thousand sockets
(bench/ws_fanout.py); a change that drops them should fail here, not in a benchmark nobody ran.
"""

import json
import subprocess
import sys

PROBE = (
    "import gc, json, backend.asgi; "
    "print(json.dumps({'threshold': gc.get_threshold(), 'frozen': gc.get_freeze_count()}))"
)


def test_the_web_process_freezes_its_start_up_objects_and_collects_young_objects_rarely():
    output = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    settings = json.loads(output.strip().splitlines()[-1])

    assert settings["threshold"] == [50_000, 20, 10]
    # Modules, settings and the schema: tens of thousands of objects no collection walks again.
    assert settings["frozen"] > 10_000
