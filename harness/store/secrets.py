"""Keep secrets out of results/ and W&B.

Any environment variable whose name looks like it holds a credential has its value replaced by
``[REDACTED:<NAME>]`` wherever it appears in what we write. Values shorter than
``_MIN_SECRET_LEN`` are ignored so that a token like "1" does not blank out every digit.
Credentials embedded in URLs (``http://user:KEY@host``) become ``http://[REDACTED]@host``.
"""

from __future__ import annotations

import os
import re
from typing import Any

_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH", re.IGNORECASE)
_MIN_SECRET_LEN = 6  # shorter values are not plausible credentials and would over-redact
# scheme://userinfo@ (RFC 3986 §3.2.1): the userinfo of a URL is a credential. Hydra writes
# sweep overrides with escaped colons (http\://user\:key@host), hence the optional backslash.
_URL_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*\\?://)[^/\s@?#]+@")
URL_REDACTED = r"\1[REDACTED]@"


def secret_values(environ: dict[str, str] | None = None) -> dict[str, str]:
    """Return ``{value: name}`` for environment variables whose names look like credentials.

    Args:
        environ: The environment to scan (default ``os.environ``).

    Returns:
        A mapping from each secret value to the name of its variable.
    """
    env = os.environ if environ is None else environ
    return {
        value: name
        for name, value in env.items()
        if _SECRET_NAME.search(name) and len(value) >= _MIN_SECRET_LEN
    }


def redact(obj: Any, secrets: dict[str, str] | None = None) -> Any:
    """Return a copy of a JSON-like object with every secret value replaced.

    Args:
        obj: Strings, numbers, lists, tuples and dicts, nested.
        secrets: ``{value: name}`` as from ``secret_values()`` (default: scan the environment).

    Returns:
        The same structure with secrets replaced in strings (keys included).
    """
    found = secret_values() if secrets is None else secrets
    # Longest first, so a secret that contains another is replaced whole.
    ordered = sorted(found.items(), key=lambda kv: -len(kv[0]))

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            for secret, name in ordered:
                if secret in value:
                    value = value.replace(secret, f"[REDACTED:{name}]")
            if "://" in value and "@" in value:
                value = _URL_USERINFO.sub(URL_REDACTED, value)
            return value
        if isinstance(value, dict):
            return {scrub(k): scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [scrub(v) for v in value]
        return value

    return scrub(obj)
