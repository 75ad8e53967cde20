"""Uri segments: the lower-case, url-safe names that shoppers see in links."""

from __future__ import annotations

import re
import unicodedata

from opencentra.errors import ValidationFailed

MAX_URI_LENGTH = 255

_SEGMENT = re.compile(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?", re.ASCII)
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+", re.ASCII)


def slugify(name: str) -> str:
    """Derive a uri segment from a name: "Grön Jacka 2" -> "gron-jacka-2"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NOT_ALLOWED.sub("-", ascii_name.lower()).strip("-")[:MAX_URI_LENGTH].strip("-")


def check_uri(uri: str, *, field: str = "uri") -> str:
    """Return ``uri`` if it is one valid segment, else raise ``ValidationFailed``."""
    if len(uri) > MAX_URI_LENGTH or not _SEGMENT.fullmatch(uri):
        raise ValidationFailed(
            f"{uri!r} is not a valid uri: use lower-case letters, digits, '-', '_' or '.'", field=field
        )
    return uri


def uri_for(name: str, uri: str | None, *, field: str = "uri") -> str:
    """The given uri, checked, or one derived from ``name``."""
    if uri is None:
        uri = slugify(name)
        if not uri:
            raise ValidationFailed(f"cannot derive a uri from {name!r}; give one", field=field)
    return check_uri(uri, field=field)
