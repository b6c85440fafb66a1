import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ErrorDetail, ParseError, ValidationError

from core.api.guard import UNSTORABLE, unstorable_path

# the escapes that may hide text PostgreSQL cannot store: \u0000, and surrogates (valid only in
# pairs); raw bytes of either cannot reach here (the body is decoded as UTF-8 first)
_SUSPECT = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


class JSONParser(parsers.JSONParser):
    """JSON whose numbers with a fraction become Decimal, never float: 0.1 stays 0.1 exactly.
    The body half of the one input guard (core/api/guard.py): a string holding the NUL character
    or a lone surrogate, key or value, is refused with a 400 naming where it is (`parse_error`,
    field `metadata.crm`): PostgreSQL cannot store either, in text or in jsonb."""

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
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        except LookupError:
            raise ParseError(f"JSON parse error - unknown charset {encoding!r}.") from None
        except ArithmeticError:  # decimal.InvalidOperation: an exponent no decimal can hold
            raise ParseError("JSON parse error - a number is out of range.") from None
        if _SUSPECT.search(text):  # rare: only then is every string looked at
            where = unstorable_path(data)
            if where is not None:
                message = (
                    f"JSON parse error - the string at {where or 'the top level'} {UNSTORABLE}."
                )
                raise ValidationError(
                    {where or "non_field_errors": [ErrorDetail(message, code="parse_error")]}
                )
        return data
