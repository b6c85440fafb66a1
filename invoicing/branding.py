"""The company's brand as customers see it (portal pages, invoice and credit-note PDFs): checks
without the ORM, and the frozen copy an invoice keeps.

- Colours are `#rrggbb`. The primary colour carries its text colour (buttons, the portal's header,
  the PDF's totals row), so the pair must be readable: WCAG 2's contrast ratio of text on primary
  at least 4.5:1 (level AA for normal text), else a refusal naming the ratio.
- A logo is a PNG or a JPEG (told by its bytes, never by a name or a declared type), at most
  256 KB, between 16 and 2000 pixels a side, that Pillow decodes whole. SVG is refused: it can
  carry scripts, and a logo is served to customers' browsers.
- Logo bytes live in the database keyed by their SHA-256 (`BrandLogo`, immutable rows): an invoice
  freezes the digest with its company details, so its PDF keeps the logo it was issued with.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.exceptions import ValidationFailed

HEX_COLOR = re.compile(r"^#[0-9a-f]{6}$")
MIN_CONTRAST = 4.5  # WCAG 2 AA, normal text
HEADING_CONTRAST = 3.0  # WCAG 2 AA, large text: a PDF's headings in the primary colour on white
LOGO_MAX_BYTES = 256 * 1024
LOGO_MIN_SIDE = 16
LOGO_MAX_SIDE = 2000
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
COLOR_FIELDS = ("primary_color", "primary_text_color", "accent_color")


def color(value: Any, field: str) -> str:
    """A colour as `#rrggbb` (lower case; `#ABC` and upper case accepted and normalized)."""
    text = str(value if value is not None else "").strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", text):
        text = "#" + "".join(ch * 2 for ch in text[1:])
    if not isinstance(value, str) or not HEX_COLOR.match(text):
        raise ValidationFailed(
            f"A colour is written #rrggbb (e.g. #1f4e79); {value!r} is not.",
            field=field,
            code="invalid_color",
        )
    return text


def _channel(byte: int) -> float:
    c = byte / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_color: str) -> float:
    """WCAG 2's relative luminance of an sRGB colour."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(one: str, other: str) -> float:
    """(lighter + 0.05) / (darker + 0.05): 1 (same colour) to 21 (black on white)."""
    a, b = sorted((luminance(one), luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def check_contrast(primary: str, text: str) -> None:
    ratio = contrast_ratio(primary, text)
    if ratio < MIN_CONTRAST:
        raise ValidationFailed(
            f"Text in {text} on {primary} has a contrast ratio of {ratio:.2f}:1; at least "
            f"{MIN_CONTRAST}:1 is needed to be readable (WCAG AA). Choose a darker or lighter "
            "colour.",
            field="primary_text_color",
            code="low_contrast",
        )


@dataclass(frozen=True)
class Logo:
    sha256: str
    content_type: str
    data: bytes
    width: int
    height: int


def checked_logo(data: bytes, field: str = "logo") -> Logo:
    """A logo upload, checked by decoding it (see the module's docstring)."""
    from PIL import Image, UnidentifiedImageError  # Pillow comes with WeasyPrint

    if not data:
        raise ValidationFailed("The logo file is empty.", field=field, code="empty")
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationFailed(
            f"The logo is {len(data) // 1024} KB; at most {LOGO_MAX_BYTES // 1024} KB.",
            field=field,
            code="too_large",
        )
    head = data[:512].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!doctype")) or b"<svg" in head:
        raise ValidationFailed(
            "SVG logos are not accepted (an SVG can carry scripts): upload a PNG or a JPEG.",
            field=field,
            code="unsupported_image",
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            width, height = probe.size
            if kind in LOGO_TYPES and width <= LOGO_MAX_SIDE and height <= LOGO_MAX_SIDE:
                probe.load()  # decodes every pixel: a truncated or corrupt file fails here
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed(
            "The logo is not a PNG or JPEG image that can be read.",
            field=field,
            code="unsupported_image",
        ) from None
    if kind not in LOGO_TYPES:
        raise ValidationFailed(
            f"The logo is a {kind} image; only PNG and JPEG are accepted.",
            field=field,
            code="unsupported_image",
        )
    if not (LOGO_MIN_SIDE <= width <= LOGO_MAX_SIDE and LOGO_MIN_SIDE <= height <= LOGO_MAX_SIDE):
        raise ValidationFailed(
            f"The logo is {width}×{height} pixels; each side must be between "  # noqa: RUF001
            f"{LOGO_MIN_SIDE} and {LOGO_MAX_SIDE}.",
            field=field,
            code="bad_dimensions",
        )
    return Logo(hashlib.sha256(data).hexdigest(), LOGO_TYPES[kind], data, width, height)


def decoded_logo(text: Any, field: str = "logo") -> bytes:
    """The API's logo: base64 of the file's bytes (a `data:image/...;base64,` prefix allowed)."""
    if not isinstance(text, str):
        raise ValidationFailed("The logo is a base64 string.", field=field, code="invalid")
    payload = text.split(",", 1)[1] if text.startswith("data:") and "," in text else text
    if len(payload) > (LOGO_MAX_BYTES * 4) // 3 + 8:
        raise ValidationFailed(
            f"The logo is larger than {LOGO_MAX_BYTES // 1024} KB.", field=field, code="too_large"
        )
    try:
        return base64.b64decode(payload, validate=True)
    except ValueError:
        raise ValidationFailed(
            "The logo is not valid base64.", field=field, code="invalid_base64"
        ) from None


def frozen_colors(brand: Mapping[str, Any] | None) -> dict[str, str]:
    """A frozen brand's colours as they may be written into a stylesheet: a value that is not
    `#rrggbb` (never written by the services) is dropped, never copied into CSS."""
    out: dict[str, str] = {}
    for key in COLOR_FIELDS:
        value = str((brand or {}).get(key) or "")
        if HEX_COLOR.match(value):
            out[key] = value
    return out
