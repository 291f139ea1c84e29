"""The Memories.ai API: one async client, typed errors, and parsed, frozen models.

Knows neither services nor Textual. Import from here:

    from memories_tui.api import MemoriesClient, NotFoundError, VideoPage
"""

# (httpx's command-line tool is kept from loading by memories_tui/__init__.py.)
from memories_tui.api.client import (
    DEFAULT_BASE_URL,
    DELETE_CHUNK_SIZE,
    MemoriesClient,
    is_loopback_host,
)
from memories_tui.api.download import DownloadStream
from memories_tui.api.errors import (
    AuthError,
    BadResponseError,
    InsecureURLError,
    MemoriesError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    RequestTimeout,
    ServerError,
    mask_key,
)
from memories_tui.api.models import (
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
    "RejectedError",
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
