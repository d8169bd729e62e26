"""The Cronium SDK for Python scripts (standard library only).

    import cronium
    data = cronium.get_input()
    cronium.set_output({"rows": 3})

Calls the runtime API named by CRONIUM_API_URL (http(s)://... or unix:///path) with the
run's token from CRONIUM_RUN_TOKEN. camelCase aliases (getInput, setOutput, ...) exist too.
"""

import http.client
import json
import os
import re
import socket
import time
import urllib.parse

__all__ = [
    "CroniumError",
    "get_input",
    "set_output",
    "get_variable",
    "set_variable",
    "get_condition",
    "set_condition",
    "get_event_context",
]

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")
_TRANSIENT_STATUS = {429, 502, 503, 504}
_ATTEMPTS = 8


class CroniumError(Exception):
    """A runtime API call failed; `status` and `code` say how (None when unreachable)."""

    def __init__(self, message, status=None, code=None):
        super().__init__(message)
        self.status = status
        self.code = code


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


def _connection():
    raw = os.environ.get("CRONIUM_API_URL")
    token = os.environ.get("CRONIUM_RUN_TOKEN")
    if not raw or not token:
        raise CroniumError(
            "CRONIUM_API_URL and CRONIUM_RUN_TOKEN are not set: is this script running under Cronium?"
        )
    if raw.startswith("unix://"):
        return _UnixConnection(raw[len("unix://"):], 30), "", token
    url = urllib.parse.urlsplit(raw)
    cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    return cls(url.hostname, url.port, timeout=30), url.path.rstrip("/"), token


def _once(method, path, body):
    connection, base, token = _connection()
    headers = {"Authorization": "Bearer " + token, "Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, base + path, body=payload, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8")
        return response.status, response.getheader("Retry-After"), text
    finally:
        connection.close()


def _call(method, path, body=None):
    last = None
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            status, retry_after, text = _once(method, path, body)
        except CroniumError:
            raise
        except OSError as error:
            last = CroniumError("cannot reach the Cronium runtime API: %s" % error)
            if attempt < _ATTEMPTS:
                time.sleep(min(0.1 * 2 ** (attempt - 1), 2))
            continue
        try:
            data = json.loads(text) if text else None
        except ValueError:
            data = None
        if 200 <= status < 300:
            return data
        problem = data if isinstance(data, dict) else {}
        error = CroniumError(
            problem.get("detail") or problem.get("title") or "the runtime API answered %d" % status,
            status,
            problem.get("code"),
        )
        if status not in _TRANSIENT_STATUS:
            raise error
        last = error
        if attempt == _ATTEMPTS:
            break
        try:
            wait = min(float(retry_after), 10) if retry_after else min(0.1 * 2 ** (attempt - 1), 2)
        except ValueError:
            wait = min(0.1 * 2 ** (attempt - 1), 2)
        time.sleep(wait)
    raise last


def _key(key):
    if not isinstance(key, str) or not _KEY.match(key):
        raise CroniumError(
            "invalid variable name %r: letters, digits, _ . - (up to 128), not starting with a digit" % (key,)
        )
    return urllib.parse.quote(key, safe="")


def get_input():
    """The run's input (any JSON value, None when none)."""
    return _call("GET", "/v1/input")["input"]


def set_output(value):
    """Sets the run's output (any JSON value)."""
    _call("PUT", "/v1/output", {"output": value})


def get_variable(key):
    """The user's variable as a string, or None when it does not exist."""
    try:
        return _call("GET", "/v1/variables/" + _key(key))["value"]
    except CroniumError as error:
        if error.status == 404:
            return None
        raise


def set_variable(key, value):
    """Stores a variable; a value that is not a string is stored as its (compact) JSON text."""
    # Compact, as Node's JSON.stringify writes it: the same value is the same text in both.
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    _call("PUT", "/v1/variables/" + _key(key), {"value": text})


def get_condition():
    """The run's condition (True, False, or None when not set)."""
    return _call("GET", "/v1/condition")["condition"]


def set_condition(condition):
    """Sets the run's condition, which workflow edges can follow."""
    if not isinstance(condition, bool):
        raise CroniumError("set_condition needs True or False")
    _call("PUT", "/v1/condition", {"condition": condition})


def get_event_context():
    """The event, run, user, server (SSH) and workflow this script runs for."""
    return _call("GET", "/v1/context")


def execute_tool_action(tool, params):
    """Sends a tool action with one of your tool credentials, by name: a dict with "ok" and
    "detail", or "ok": False with "error" and "retryable"."""
    if not isinstance(tool, str) or not tool:
        raise CroniumError("execute_tool_action needs the name of one of your tool credentials")
    if not isinstance(params, dict):
        raise CroniumError("execute_tool_action needs the params as a dict")
    return _call("POST", "/v1/tool-actions", {"tool": tool, "params": params})


getInput = get_input
setOutput = set_output
getVariable = get_variable
setVariable = set_variable
getCondition = get_condition
setCondition = set_condition
getEventContext = get_event_context
executeToolAction = execute_tool_action
