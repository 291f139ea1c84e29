"""The Memories.ai API: one async client, typed errors, and parsed, frozen models.

Knows neither services nor Textual. Import from here:

    from memories_tui.api import MemoriesClient, NotFoundError, VideoPage
"""

import sys

# httpx's package imports its command-line tool (click, pygments, rich's syntax and
# progress) when it can: ~20 ms of start-up for a tool we never run. A None entry in
# sys.modules makes that one import fail, and httpx then defines a stub `main` instead
# (its own fallback for installs without the CLI's extras). Nothing else changes.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

from memories_tui.api.client import (  # noqa: E402 - after the line above, on purpose
    DEFAULT_BASE_URL,
    DELETE_CHUNK_SIZE,
    MemoriesClient,
    is_loopback_host,
)
from memories_tui.api.download import DownloadStream  # noqa: E402
from memories_tui.api.errors import (  # noqa: E402
    AuthError,
    BadResponseError,
    InsecureURLError,
    MemoriesError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RequestTimeout,
    ServerError,
    mask_key,
)
from memories_tui.api.models import (  # noqa: E402
    DeleteChunkResult,
    DeleteReport,
    Video,
    VideoDetails,
    VideoPage,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DELETE_CHUNK_SIZE",
    "AuthError",
    "BadResponseError",
    "DeleteChunkResult",
    "DeleteReport",
    "DownloadStream",
    "Image",
    "ImagePage",
    "InsecureURLError",
    "MemoriesClient",
    "MemoriesError",
    "Message",
    "NetworkError",
    "NotFoundError",
    "PublicVideo",
    "RateLimitedError",
    "Ref",
    "RefItem",
    "RequestTimeout",
    "ServerError",
    "SessionDetail",
    "SessionPage",
    "SessionSummary",
    "TaskStatus",
    "Thinking",
    "Video",
    "VideoDetails",
    "VideoPage",
    "is_loopback_host",
    "mask_key",
]


def __getattr__(name: str) -> object:
    # The other views' models are loaded when first used: see api/models/__init__.py.
    from memories_tui.api import models

    if name in __all__:
        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
