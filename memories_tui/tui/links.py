"""Which server-sent links the app may hand to the browser."""

from __future__ import annotations


def is_web_link(url: str) -> bool:
    """Only http(s) links leave the app: a server's "javascript:", "file:" or custom
    scheme URL could run code or open local files in whatever handles it."""
    return url.strip().lower().startswith(("https://", "http://"))
