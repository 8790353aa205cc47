"""URL helpers shared by the pollers and the listings (no network imports here)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

__all__ = ["SECRET_PARAMS", "redact", "same_origin"]

# Query parameters that carry credentials (?apikey=, ?token=, ?sig=, ...).
SECRET_PARAMS = re.compile(
    r"(?i)(?:^|[_-])(?:api[_-]?key|key|token|access[_-]?token|secret|password|passwd|pass|"
    r"auth|sig|signature|client[_-]?secret|credential)s?$"
)


def redact(url: str) -> str:
    """``url`` without user:password and with secret query values masked, safe to print."""
    try:
        parts = urlsplit(url)
        if parts.username or parts.password:
            host = parts.hostname or ""
            if parts.port:
                host = f"{host}:{parts.port}"
            parts = parts._replace(netloc=host)
    except ValueError:
        return "<invalid URL>"
    if parts.query:
        pairs = []
        for pair in parts.query.split("&"):
            name, eq, _ = pair.partition("=")
            pairs.append(f"{name}=***" if eq and SECRET_PARAMS.search(name) else pair)
        parts = parts._replace(query="&".join(pairs))
    return urlunsplit(parts)


def same_origin(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` have the same scheme, host and port (a token for one may
    go to the other)."""
    from urllib.parse import urlsplit

    def origin(url: str) -> tuple[str, str, int | None]:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        try:
            port = parts.port or {"http": 80, "https": 443}.get(scheme)
        except ValueError:
            return scheme, "", -1
        return scheme, (parts.hostname or "").lower(), port

    return origin(a) == origin(b)
