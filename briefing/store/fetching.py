"""Fetching a web page for import: a timeout, a size cap, and one clear line when it fails."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request

from briefing import __version__
from briefing.core.ingest import IngestError

#: Content types worth handing to the HTML extractor (or, for text/plain, the text reader).
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/markdown")


def fetch(url: str, *, timeout: float, limit: int) -> tuple[bytes, str]:
    """The body of ``url`` and its content type; every failure is an :class:`IngestError`."""
    request = urllib.request.Request(
        url, headers={"User-Agent": f"briefing/{__version__}", "Accept": "text/html,*/*;q=0.5"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content_type = str(response.headers.get("Content-Type") or "").lower()
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise IngestError(url, _too_big(int(length), limit))
            if content_type and not content_type.startswith(TEXT_TYPES):
                kind = content_type.split(";")[0].strip()
                raise IngestError(url, f"not a web page ({kind})")
            data = response.read(limit + 1)
    except urllib.error.HTTPError as error:
        raise IngestError(url, f"HTTP {error.code} {error.reason}".rstrip()) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise IngestError(url, f"no answer within {timeout:g} s") from None
        raise IngestError(url, f"cannot fetch ({error.reason})") from None
    except TimeoutError:
        raise IngestError(url, f"no answer within {timeout:g} s") from None
    except (OSError, ValueError, http.client.HTTPException) as error:
        raise IngestError(url, f"cannot fetch ({error})") from None
    if len(data) > limit:
        raise IngestError(url, _too_big(len(data), limit))
    return data, content_type


def _too_big(size: int, limit: int) -> str:
    return f"page is {size / 1e6:.1f} MB or more, over the {limit // (1024 * 1024)} MB limit"
