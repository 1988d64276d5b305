"""`.env.example` documents every environment variable Stride reads, and only those."""

import ast
import re
from pathlib import Path

import backend.env

ROOT = Path(__file__).resolve().parent.parent
# Files that read the environment: the settings through backend/env.py's helpers, the
# launchers and the service check through os.environ.
READERS = ["backend/settings.py", "scripts/run.py", "scripts/scale.py", "scripts/check_services.py"]
ENV_HELPERS = {
    name
    for name, value in vars(backend.env).items()
    if callable(value) and getattr(value, "__module__", "") == "backend.env"
} - {"read_dotenv"}


def _variable_name(call: ast.Call) -> str | None:
    if not call.args or not isinstance(call.args[0], ast.Constant):
        return None
    name = call.args[0].value
    if not isinstance(name, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
        return None
    function = call.func
    reads_env = (
        # env.str("X"), env.bool("X"), ...
        (isinstance(function, ast.Attribute) and ast.unparse(function.value) == "env")
        # positive_int("X", ...) and the other helpers of backend/env.py
        or (isinstance(function, ast.Name) and function.id in ENV_HELPERS)
        # os.environ.get("X"), os.environ.setdefault("X", ...), os.getenv("X")
        or ast.unparse(function) in ("os.environ.get", "os.environ.setdefault", "os.getenv")
    )
    return name if reads_env else None


def variables_read() -> set[str]:
    names = set()
    for reader in READERS:
        tree = ast.parse((ROOT / reader).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (name := _variable_name(node)):
                names.add(name)
    return names


def variables_documented() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_every_variable_read_is_documented():
    assert variables_read() - variables_documented() == set()


def test_every_documented_variable_is_read():
    assert variables_documented() - variables_read() == set()


def test_the_scan_finds_the_variables_of_each_kind_of_reader():
    found = variables_read()
    assert {"DATABASE_URL", "DEBUG", "JWT_ACCESS_MINUTES", "HOST", "RABBITMQ_URL"} <= found
