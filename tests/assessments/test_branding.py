"""The branding rules: contrast of the accent colour and sanitising of logos, without a database."""

import struct
import zlib
from xml.etree import ElementTree

import pytest

from assessments.branding import (
    Brand,
    Logo,
    LogoRefused,
    accent_problem,
    brand_for,
    contrast_ratio,
    installation_brand,
    normalise_hex,
    relative_luminance,
    sanitise_logo,
    sanitise_png,
    sanitise_svg,
)
from assessments.charts import RadarAxis, radar_svg

MAX = 200 * 1024


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def tiny_png(*, width: int = 1, height: int = 1, extra: bytes = b"") -> bytes:
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    pixels = png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + header + extra + pixels + png_chunk(b"IEND", b"")


SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{}</svg>'


def svg_tags(markup: str) -> set[str]:
    root = ElementTree.fromstring(sanitise_svg(markup.encode()))  # noqa: S314 - the sanitiser's own output
    return {element.tag.split("}")[-1] for element in root.iter()}


def test_hex_colours_are_normalised_to_six_lower_case_digits():
    assert normalise_hex(" #0B5ED7 ") == "#0b5ed7"
    assert normalise_hex("#abc") == "#aabbcc"


@pytest.mark.parametrize("value", ["0b5ed7", "#0b5ed", "#ggg000", "red", "#0b5ed7;}", "url(x)"])
def test_anything_but_a_hex_colour_is_refused(value):
    with pytest.raises(ValueError):
        normalise_hex(value)
    assert "six hexadecimal digits" in accent_problem(value)


def test_relative_luminance_and_contrast_follow_wcag():
    assert relative_luminance("#ffffff") == pytest.approx(1)
    assert relative_luminance("#000000") == 0
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#000000") == contrast_ratio("#000000", "#ffffff")
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_a_dark_distinct_accent_is_accepted():
    assert accent_problem("#0b5ed7") is None
    assert accent_problem("#b02a37") is None


def test_an_accent_too_light_for_text_on_white_is_refused():
    assert "Too light" in accent_problem("#ffd400")
    assert "Too light" in accent_problem("#777777")  # 4.48:1, just under


def test_an_accent_that_would_read_as_the_body_text_is_refused():
    assert "Too close to the text colour" in accent_problem("#1b1e21")
    assert "Too close to the text colour" in accent_problem("#000000")


def test_a_png_keeps_only_its_drawing_chunks():
    comment = png_chunk(b"tEXt", b"Comment\x00<script>alert(1)</script>")
    clean = sanitise_png(tiny_png(extra=comment))
    assert clean == tiny_png()
    assert b"script" not in clean


def test_a_png_with_a_wrong_checksum_is_refused():
    damaged = bytearray(tiny_png())
    damaged[-5] ^= 0xFF  # the IEND checksum
    with pytest.raises(LogoRefused, match="damaged"):
        sanitise_png(bytes(damaged))


def test_a_png_cut_short_or_without_image_data_is_refused():
    with pytest.raises(LogoRefused):
        sanitise_png(tiny_png()[:30])
    header_only = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    with pytest.raises(LogoRefused, match="incomplete"):
        sanitise_png(header_only + png_chunk(b"IEND", b""))


def test_a_png_of_absurd_dimensions_is_refused():
    with pytest.raises(LogoRefused, match="pixels"):
        sanitise_png(tiny_png(width=100_000, height=100_000))


def test_a_logo_over_the_size_limit_is_refused():
    with pytest.raises(LogoRefused, match="at most 1 KB"):
        sanitise_logo(tiny_png() + b"\x00" * 2000, max_bytes=1024)


def test_a_logo_that_is_neither_png_nor_svg_is_refused():
    with pytest.raises(LogoRefused, match="PNG or an SVG"):
        sanitise_logo(b"GIF89a....", max_bytes=MAX)


def test_the_logo_type_is_told_by_content_not_by_name():
    assert sanitise_logo(tiny_png(), max_bytes=MAX).content_type == "image/png"
    svg = sanitise_logo(SVG.format('<rect width="5" height="5" fill="#0b5ed7"/>').encode(), max_bytes=MAX)
    assert svg.content_type == "image/svg+xml"
    assert svg.data_uri.startswith("data:image/svg+xml;base64,")


def test_an_svg_keeps_its_drawing():
    markup = SVG.format(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>'
        '<g transform="scale(2)"><path d="M0 0L5 5" stroke="url(#g)"/><text x="1" y="9">Acme</text></g>'
    )
    clean = sanitise_svg(markup.encode()).decode()
    assert {"svg", "defs", "linearGradient", "stop", "g", "path", "text"} <= svg_tags(markup)
    assert 'stroke="url(#g)"' in clean and "Acme" in clean


def test_script_elements_are_dropped_with_their_content():
    clean = sanitise_svg(SVG.format("<script>alert(1)</script><rect width='1' height='1'/>").encode()).decode()
    assert "script" not in clean and "alert" not in clean and "rect" in clean


def test_event_handler_attributes_are_dropped():
    markup = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect onclick="alert(2)" width="1"/></svg>'
    clean = sanitise_svg(markup.encode()).decode()
    assert "onload" not in clean and "onclick" not in clean and "alert" not in clean


def test_foreign_objects_images_links_and_animations_are_dropped():
    markup = SVG.format(
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>'
        '<image href="https://tracker.example/pixel.png"/>'
        '<a href="javascript:alert(1)"><rect width="1"/></a>'
        '<set attributeName="href" to="javascript:alert(1)"/>'
    )
    assert svg_tags(markup) == {"svg"}


def test_references_outside_the_document_are_dropped():
    markup = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<use xlink:href="https://evil.example/sprite.svg#a"/><use href="javascript:alert(1)"/>'
        '<use href="#mark"/><rect fill="url(https://evil.example/x)" width="1"/></svg>'
    )
    clean = sanitise_svg(markup.encode()).decode()
    assert "evil" not in clean and "javascript" not in clean
    assert 'href="#mark"' in clean


def test_style_with_external_urls_or_escapes_is_dropped():
    markup = SVG.format(
        "<style>rect { fill: url(https://evil.example/x) }</style>"
        "<rect style=\"fill: u\\72l(https://evil.example)\" width='1'/><circle style='fill: #f00' r='1'/>"
    )
    clean = sanitise_svg(markup.encode()).decode()
    assert "evil" not in clean
    assert 'style="fill: #f00"' in clean


def test_entities_and_doctypes_are_refused_before_parsing():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>'
    )
    external = '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"/>'
    for markup in (laughs, external):
        with pytest.raises(LogoRefused, match="DOCTYPE"):
            sanitise_svg(markup.encode())


@pytest.mark.parametrize(
    "markup",
    ["<svg>unclosed", "<html xmlns='http://www.w3.org/1999/xhtml'/>", "<svg/>"],
    ids=["malformed", "not-svg", "no-namespace"],
)
def test_an_svg_that_is_not_a_well_formed_svg_document_is_refused(markup):
    with pytest.raises(LogoRefused):
        sanitise_svg(markup.encode())


def test_an_organisation_without_branding_takes_the_installation_default(settings):
    settings.BRAND_NAME, settings.BRAND_ACCENT, settings.BRAND_LOGO_PATH = "Consultancy", "#0B5ED7", ""
    installation_brand.cache_clear()
    try:

        class Plain:
            brand_name, brand_accent = "", ""

        class Branded(Plain):
            brand_name, brand_accent = "Acme", "#b02a37"

        assert brand_for(Plain(), None) == Brand(name="Consultancy", accent="#0b5ed7")
        assert brand_for(Branded(), None) == Brand(name="Acme", accent="#b02a37")
        own_logo = Logo(b"<svg/>", "image/svg+xml")
        assert brand_for(Branded(), own_logo) == Brand(name="Acme", accent="#b02a37", logo=own_logo)
    finally:
        installation_brand.cache_clear()


def test_the_radar_draws_its_values_in_the_accent_and_refuses_anything_else():
    axes = [RadarAxis(f"Axis {i}", 2) for i in range(3)]
    assert 'stroke="#b02a37"' in radar_svg(axes, accent="#b02a37")
    assert 'stroke="#0b5ed7"' in radar_svg(axes)
    with pytest.raises(ValueError):
        radar_svg(axes, accent='#000" onload="x')
