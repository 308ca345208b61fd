"""Fail fast when an API endpoint cannot be reached at all.

A refused connection or an unknown host is not transient: retrying it with backoff (six tries,
about 100 s) only delays the error. ``check_reachable`` opens one TCP connection to the
endpoint's host and port before any request, and raises at once when that fails. Errors that
may pass (timeouts, 429, 5xx, a dropped connection mid-run) keep their retries
(``api.request.with_retries``).
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from harness.errors import HarnessError
from harness.store.secrets import redact

CONNECT_TIMEOUT_S = 10.0  # one TCP handshake; a live endpoint answers in milliseconds


class UnreachableError(HarnessError):
    """The endpoint's host is unknown or refuses connections."""


def endpoint(api_base: str) -> tuple[str, int]:
    """(host, port) of an ``http(s)://`` base URL; the scheme's port when none is given."""
    parts = urlsplit(api_base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnreachableError(
            f"api_base={redact(api_base)!r} is not an http(s) URL; set it like "
            "http://localhost:8000/v1"
        )
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def check_reachable(api_base: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Open (and close) one TCP connection to the endpoint.

    Raises:
        UnreachableError: The host is unknown, refuses the connection, or does not answer
            within ``timeout_s``; the message names the endpoint (credentials redacted).
    """
    host, port = endpoint(api_base)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return
    except socket.gaierror as exc:
        why = f"unknown host {host!r} ({exc.strerror})"
    except ConnectionRefusedError:
        why = f"{host}:{port} refused the connection: is the server running on that port?"
    except TimeoutError:
        why = f"{host}:{port} did not answer within {timeout_s:g} s"
    except OSError as exc:
        why = f"{host}:{port}: {exc.strerror or exc}"
    raise UnreachableError(
        f"cannot reach the API endpoint {redact(api_base)}: {why}. Start the server or fix "
        "model.extra.api_base / backend.api_base, then re-run"
    )
