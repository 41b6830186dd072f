"""Charts go into the PDF as they were written (render/pdf_images.py): the PNG's IDAT data is
the PDF image's data, the page looks the same as when WeasyPrint encodes the image again, and
images a PDF cannot take as they are still take WeasyPrint's own path."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import zlib

import numpy as np
import pytest
from PIL import Image

from hme_core.render import notebook, pdf_images


def png(image: Image.Image, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="png", **params)
    return buffer.getvalue()


def chart_like(mode: str = "RGB", size=(120, 40)) -> Image.Image:
    """White with a dark bar and a red block: rows that PNG filters differently."""
    image = Image.new(mode, size, "white")
    image.paste((27, 79, 114) if mode == "RGB" else 60, (10, 8, 90, 20))
    image.paste((163, 38, 42) if mode == "RGB" else 140, (30, 24, 60, 36))
    return image


def test_idat_payload_is_the_zlib_stream_of_the_filtered_rows():
    image = chart_like()
    payload = pdf_images.idat_payload(png(image, compress_level=1))
    rows = zlib.decompress(payload)
    width, height = image.size
    assert len(rows) == height * (1 + 3 * width)  # a filter byte, then RGB per pixel, per row


@pytest.mark.parametrize("name, data", [
    ("RGBA", lambda: png(chart_like().convert("RGBA"))),
    ("palette", lambda: png(chart_like().convert("P"))),
    ("16-bit grey", lambda: png(Image.fromarray(np.full((4, 4), 40000, dtype=np.uint16)))),
    ("interlaced", lambda: _interlaced(png(chart_like()))),
    ("grey with transparency", lambda: png(chart_like("L"), transparency=255)),
    ("corrupt CRC", lambda: _flip_crc(png(chart_like()))),
    ("truncated", lambda: png(chart_like())[:-30]),
    ("not a PNG", lambda: b"GIF89a" + b"\0" * 40),
])
def test_images_a_pdf_cannot_take_as_they_are_are_not_passed_through(name, data):
    assert pdf_images.idat_payload(data()) is None


def test_grey_images_are_passed_through():
    assert pdf_images.idat_payload(png(chart_like("L"))) is not None


def _interlaced(data: bytes) -> bytes:
    """The same PNG with its IHDR's interlace flag set (CRC recomputed)."""
    ihdr = bytearray(data[12:29])
    ihdr[-1] = 1
    crc = zlib.crc32(bytes(ihdr)).to_bytes(4, "big")
    return data[:12] + bytes(ihdr) + crc + data[33:]


def _flip_crc(data: bytes) -> bytes:
    return data[:29] + bytes([data[29] ^ 0xFF]) + data[30:]


def page_with(images: list[bytes]) -> str:
    imgs = "".join(f'<p><img src="data:image/png;base64,{base64.b64encode(i).decode()}" '
                   f'alt="chart {n}" style="width:60%"></p>' for n, i in enumerate(images))
    return notebook.page(f"<h1>Charts</h1>{imgs}", "t", "sv", "h")


def _with_weasyprints_own_encoding(html: str) -> bytes:
    """The PDF as WeasyPrint makes it unpatched (the pass-through undone for this call)."""
    from weasyprint.images import RasterImage

    pdf_images.install()
    patched = RasterImage.__dict__["_get_png_data"]
    RasterImage._get_png_data = staticmethod(patched.__func__.weasyprint_original)
    try:
        return _pdf_bytes_without_install(html)
    finally:
        RasterImage._get_png_data = patched


def _pdf_bytes_without_install(html: str) -> bytes:
    install = pdf_images.install
    pdf_images.install = lambda: None
    try:
        return notebook.pdf_bytes(html)
    finally:
        pdf_images.install = install


def test_pdf_image_data_is_the_charts_png_data():
    chart = png(chart_like(), compress_level=1)
    pdf = notebook.pdf_bytes(page_with([chart]))
    assert pdf_images.idat_payload(chart) in pdf  # stored as written, not encoded again
    assert pdf_images.idat_payload(chart) not in _with_weasyprints_own_encoding(page_with([chart]))


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils (make sysdeps)")
def test_pages_look_the_same_as_with_weasyprints_own_encoding(tmp_path):
    """Pixels of every page, our PDF against WeasyPrint's unpatched one: an RGB chart, a grey
    one, and an RGBA image (which takes WeasyPrint's own path: image and alpha mask)."""
    rgba = chart_like().convert("RGBA")
    rgba.putalpha(Image.new("L", rgba.size, 128))
    html = page_with([png(chart_like(), compress_level=1), png(chart_like("L")), png(rgba)])
    ours, theirs = tmp_path / "ours.pdf", tmp_path / "theirs.pdf"
    ours.write_bytes(notebook.pdf_bytes(html))
    theirs.write_bytes(_with_weasyprints_own_encoding(html))
    assert ours.read_bytes() != theirs.read_bytes()
    pages = {}
    for pdf in (ours, theirs):
        subprocess.run(["pdftoppm", "-r", "96", "-png", str(pdf), str(pdf.with_suffix(""))],
                       check=True)
        pages[pdf.stem] = sorted(tmp_path.glob(f"{pdf.stem}-*.png"))
    assert len(pages["ours"]) == len(pages["theirs"]) >= 1
    for a, b in zip(pages["ours"], pages["theirs"], strict=True):
        assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b)))
    assert re.search(rb"/SMask", ours.read_bytes())  # the RGBA image kept its alpha mask


def test_install_is_idempotent_and_keeps_weasyprints_own_path():
    from weasyprint.images import RasterImage

    pdf_images.install()
    first = RasterImage.__dict__["_get_png_data"]
    pdf_images.install()
    assert RasterImage.__dict__["_get_png_data"] is first
    original = first.__func__.weasyprint_original
    assert not getattr(original, "hme_passthrough", False)
