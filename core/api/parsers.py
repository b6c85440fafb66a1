import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from core.validators import storable_text

# the escapes that may hide text PostgreSQL cannot store: \u0000, and surrogates (valid only in
# pairs); raw bytes of either cannot reach here (the body is decoded as UTF-8 first)
_SUSPECT = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


class JSONParser(parsers.JSONParser):
    """JSON whose numbers with a fraction become Decimal, never float: 0.1 stays 0.1 exactly.
    A string holding the NUL character or a lone surrogate is refused (400, with where it is):
    PostgreSQL cannot store either, in text or in jsonb."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
            data = json.loads(text, parse_float=Decimal)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if _SUSPECT.search(text):  # rare: only then is every string looked at
            where = _unstorable(data, "")
            if where is not None:
                raise ParseError(
                    f"JSON parse error - the string at {where or 'the top level'} contains the "
                    "NUL character or a lone surrogate, which cannot be stored."
                )
        return data


def _unstorable(value: Any, path: str) -> str | None:
    """The path of the first string (key or value) that cannot be stored, or None."""
    if isinstance(value, str):
        return path if not storable_text(value) else None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _unstorable(item, f"{path}[{index}]")
            if found is not None:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if not storable_text(key):
                return where.encode("ascii", "backslashreplace").decode()
            found = _unstorable(item, where)
            if found is not None:
                return found
    return None
