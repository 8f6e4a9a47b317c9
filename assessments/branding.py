"""A client's branding on what the client sees: the PDF report, the shared-results page and the workshop projector.

An organisation may set a display name, a logo and an accent colour; the installation's settings give the default
for each one it leaves empty. The app's own pages keep their design.

The accent colour is checked for contrast by WCAG 2.x relative luminance:

- against white at least 4.5:1, because the report draws it as text and thin lines on white paper (headings,
  the cover's kicker, chart strokes); the same ratio lets white text sit on it;
- against the app's text colour (#212529) at least 1.5:1, so that an accent stays visibly an accent and is not
  read as body text. A colour cannot reach 4.5:1 against both white and near-black, so this second check is a
  distinctness check, not a text-contrast one.

For example #0b5ed7 has 5.7:1 against white and 2.8:1 against #212529: accepted. #ffd400 (2.1:1 on white) and
#1b1e21 (1.1:1 against the text) are refused.

Logos are sanitised before they are stored. A PNG keeps only the chunks needed to draw it (header, palette,
transparency, image data, end), each with a verified checksum, so no text or metadata chunk survives. An SVG is
parsed (a DOCTYPE, hence any entity, is refused) and rebuilt from an allow-list of drawing elements and
attributes: no scripts, event handlers, foreignObject, images, animation or links, and no reference that does
not point inside the document (`#id`).
"""

import base64
import re
import struct
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

WHITE = "#ffffff"
APP_TEXT = "#212529"  # Bootstrap's body text, which the charts use too
MIN_CONTRAST_ON_WHITE = 4.5
MIN_DISTINCT_FROM_TEXT = 1.5
MAX_LOGO_SIDE = 4096  # pixels of a PNG, a sanity bound against decompression bombs

HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


class LogoRefused(ValueError):
    """The file is not a logo this app will show; the message says why, for the form."""


@dataclass(frozen=True)
class Logo:
    content: bytes
    content_type: str  # image/png or image/svg+xml

    @property
    def data_uri(self) -> str:
        """Inlined in pages (the CSP allows img-src data:) and in the report's HTML, so no URL serves it."""
        return f"data:{self.content_type};base64,{base64.b64encode(self.content).decode()}"


@dataclass(frozen=True)
class Brand:
    name: str = ""
    accent: str = ""  # "#rrggbb", or "" for the app's own colours
    logo: Logo | None = None

    @property
    def is_set(self) -> bool:
        return bool(self.name or self.accent or self.logo)


# Colours


def normalise_hex(value: str) -> str:
    """'#ABC' or '#aabbcc' as '#aabbcc'; anything else is a ValueError."""
    value = value.strip()
    if not HEX.fullmatch(value):
        raise ValueError(f"{value!r} is not a colour like #0b5ed7")
    digits = value[1:].lower()
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)


def relative_luminance(colour: str) -> float:
    digits = normalise_hex(colour)[1:]
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def accent_problem(colour: str) -> str | None:
    """Why `colour` cannot be an accent, in words for the form; None when it can."""
    try:
        colour = normalise_hex(colour)
    except ValueError:
        return "Give a colour as # and six hexadecimal digits, for example #0b5ed7."
    on_white = contrast_ratio(colour, WHITE)
    if on_white < MIN_CONTRAST_ON_WHITE:
        return (
            f"Too light: {on_white:.1f}:1 against white, and text in it needs {MIN_CONTRAST_ON_WHITE}:1. "
            "Pick a darker shade."
        )
    against_text = contrast_ratio(colour, APP_TEXT)
    if against_text < MIN_DISTINCT_FROM_TEXT:
        return (
            f"Too close to the text colour ({against_text:.1f}:1 against {APP_TEXT}): it would not read as an accent."
        )
    return None


# Logos

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEPT_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}


def sanitise_logo(data: bytes, *, max_bytes: int) -> Logo:
    """The logo as it will be stored and shown, or LogoRefused."""
    if len(data) > max_bytes:
        raise LogoRefused(f"The file is {len(data) // 1024} KB; a logo may be at most {max_bytes // 1024} KB.")
    if data.startswith(PNG_SIGNATURE):
        return Logo(sanitise_png(data), "image/png")
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return Logo(sanitise_svg(data), "image/svg+xml")
    raise LogoRefused("A logo must be a PNG or an SVG file.")


def sanitise_png(data: bytes) -> bytes:
    """The PNG with only its drawing chunks, after checking every chunk's length and checksum and the image size."""
    if not data.startswith(PNG_SIGNATURE):
        raise LogoRefused("This is not a PNG file.")
    kept, position, names = [PNG_SIGNATURE], len(PNG_SIGNATURE), []
    while position < len(data):
        if position + 12 > len(data):
            raise LogoRefused("The PNG file is cut short.")
        (length,) = struct.unpack(">I", data[position : position + 4])
        chunk_type = data[position + 4 : position + 8]
        end = position + 12 + length
        body = data[position + 8 : end - 4]
        if end > len(data) or struct.unpack(">I", data[end - 4 : end])[0] != zlib.crc32(chunk_type + body):
            raise LogoRefused("The PNG file is damaged.")
        names.append(chunk_type)
        if chunk_type in PNG_KEPT_CHUNKS:
            kept.append(data[position:end])
        position = end
        if chunk_type == b"IEND":
            break
    if not names or names[0] != b"IHDR" or names[-1] != b"IEND" or b"IDAT" not in names:
        raise LogoRefused("The PNG file is incomplete.")
    width, height = struct.unpack(">II", kept[1][8:16])
    if not (0 < width <= MAX_LOGO_SIDE and 0 < height <= MAX_LOGO_SIDE):
        raise LogoRefused(f"The image is {width}×{height} pixels; at most {MAX_LOGO_SIDE} on each side.")
    return b"".join(kept)


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SVG_ELEMENTS = {
    "svg", "g", "defs", "symbol", "use", "title", "desc", "path", "rect", "circle", "ellipse", "line", "polyline",
    "polygon", "text", "tspan", "linearGradient", "radialGradient", "stop", "clipPath", "mask", "style",
}  # fmt: skip
SVG_ATTRIBUTES = {
    "id", "class", "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx",
    "fy", "d", "points", "transform", "preserveAspectRatio", "version", "fill", "fill-opacity", "fill-rule", "stroke",
    "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset",
    "stroke-miterlimit", "opacity", "clip-path", "clip-rule", "mask", "font-family", "font-size", "font-weight",
    "font-style", "text-anchor", "dominant-baseline", "letter-spacing", "dx", "dy", "offset", "stop-color",
    "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "clipPathUnits", "maskUnits", "style",
    "visibility", "display", "color", "href",
}  # fmt: skip
# url(...) may only point inside the document; CSS escapes, imports and expressions could hide anything else.
UNSAFE_CSS = re.compile(r"url\(\s*['\"]?(?!#)|@import|expression|\\|javascript:", re.IGNORECASE)


def sanitise_svg(data: bytes) -> bytes:
    """The SVG rebuilt from allowed elements and attributes; elements outside the list go with their content."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LogoRefused("An SVG logo must be UTF-8 text.") from None
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise LogoRefused("An SVG logo may not declare a DOCTYPE or entities.")
    try:
        # Safe without defusedxml: with no DOCTYPE there are no entities to expand or fetch.
        root = ElementTree.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text))  # noqa: S314
    except ElementTree.ParseError:
        raise LogoRefused("The SVG file is not well-formed XML.") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise LogoRefused("The file is not an SVG image (its root is not <svg> in the SVG namespace).")
    clean = _clean_element(root)
    ElementTree.register_namespace("", SVG_NS)
    ElementTree.register_namespace("xlink", XLINK_NS)
    return ElementTree.tostring(clean, encoding="utf-8", xml_declaration=False)


def _clean_element(element: ElementTree.Element) -> ElementTree.Element:
    local = element.tag.removeprefix(f"{{{SVG_NS}}}")
    clean = ElementTree.Element(element.tag)
    for name, value in element.attrib.items():
        kept_name = "href" if name == f"{{{XLINK_NS}}}href" else name
        if kept_name not in SVG_ATTRIBUTES or UNSAFE_CSS.search(value):
            continue
        if kept_name == "href" and not value.strip().startswith("#"):
            continue
        clean.set(name, value)
    if local == "style":
        clean.text = "" if UNSAFE_CSS.search(element.text or "") else element.text
        return clean
    clean.text = element.text
    for child in element:
        if (
            isinstance(child.tag, str)
            and child.tag.removeprefix(f"{{{SVG_NS}}}") in SVG_ELEMENTS
            and (child.tag.startswith(f"{{{SVG_NS}}}"))
        ):
            kept = _clean_element(child)
            kept.tail = child.tail
            clean.append(kept)
    return clean


# Whose brand


@cache
def installation_brand() -> Brand:
    """The installation's default from BRAND_NAME, BRAND_ACCENT and BRAND_LOGO_PATH, read once and checked like an
    organisation's own: a bad value is a configuration error naming the variable."""
    accent = settings.BRAND_ACCENT
    if accent and (problem := accent_problem(accent)):
        raise ImproperlyConfigured(f"BRAND_ACCENT={accent!r}: {problem}")
    logo = None
    if settings.BRAND_LOGO_PATH:
        try:
            data = Path(settings.BRAND_LOGO_PATH).read_bytes()
            logo = sanitise_logo(data, max_bytes=settings.BRAND_LOGO_MAX_KB * 1024)
        except (OSError, LogoRefused) as error:
            raise ImproperlyConfigured(f"BRAND_LOGO_PATH={settings.BRAND_LOGO_PATH!r}: {error}") from None
    return Brand(name=settings.BRAND_NAME, accent=normalise_hex(accent) if accent else "", logo=logo)


def brand_for(organisation, logo: Logo | None) -> Brand:
    """The organisation's branding (with its stored logo, if any), each part it leaves empty taken from the
    installation's default."""
    default = installation_brand()
    return Brand(
        name=organisation.brand_name or default.name,
        accent=organisation.brand_accent or default.accent,
        logo=logo or default.logo,
    )
