"""Charts into the PDF without a second PNG encoding.

A PDF image with ``/FlateDecode`` and ``/DecodeParms << /Predictor 15 ... >>`` holds exactly
what a PNG's IDAT chunks hold: the zlib stream of the PNG-filtered rows. WeasyPrint (70.0)
nevertheless decodes every PNG it embeds and encodes it again with Pillow at zlib level 6, only
to copy the new file's IDAT chunks into the PDF (`weasyprint.images.RasterImage._get_png_data`;
upstream notes the possible pass-through in Kozea/WeasyPrint#1481, docs/sources.md). For a leaf
report's 14 charts that second encoding cost ~0.09 CPU-s, ~5 % of the whole report.

`install()` makes WeasyPrint take the IDAT chunks of a PNG as they are when the PNG can be
embedded so: 8-bit grey or RGB, no alpha, no palette, not interlaced, and the image is the file
as read (WeasyPrint opened it from bytes and changed nothing). Any other image (RGBA split into
image and mask, 16-bit, palette, interlaced, a resized copy) takes WeasyPrint's own path. The
pixels in the PDF are the same either way; the charts' streams are compressed at the level the
charts were written with (`report/figure_parts.py`, `PNG_COMPRESS_LEVEL`) instead of WeasyPrint's.
"""

from __future__ import annotations

import io
import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# IHDR colour types a PDF image takes with /Colors 1 or 3 as WeasyPrint writes it: grey, RGB
_PASSABLE_COLOUR_TYPES = {0: "L", 2: "RGB"}


def idat_payload(png: bytes) -> bytes | None:
    """The concatenated IDAT data of `png` if a PDF can embed it as is, else None.

    Embeddable: a well-formed PNG (signature, IHDR first, chunk CRCs intact), bit depth 8,
    colour type grey (0) or RGB (2), compression and filter method 0, not interlaced, without
    a ``tRNS`` chunk (transparency needs a mask) and with at least one IDAT chunk.

    >>> from PIL import Image
    >>> buf = io.BytesIO(); Image.new("RGB", (2, 1), "white").save(buf, format="png")
    >>> len(zlib.decompress(idat_payload(buf.getvalue())))  # a filter byte, 2 RGB pixels
    7
    >>> buf = io.BytesIO(); Image.new("RGBA", (2, 1)).save(buf, format="png")
    >>> idat_payload(buf.getvalue()) is None
    True
    """
    if not png.startswith(PNG_SIGNATURE):
        return None
    pos, chunks, first = len(PNG_SIGNATURE), [], True
    while pos + 8 <= len(png):
        length, kind = struct.unpack_from(">I4s", png, pos)
        data_end = pos + 8 + length
        if data_end + 4 > len(png):
            return None
        data = png[pos + 8:data_end]
        (crc,) = struct.unpack_from(">I", png, data_end)
        if zlib.crc32(kind + data) != crc:
            return None
        if first:
            if kind != b"IHDR" or length != 13:
                return None
            _, _, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", data)
            if (depth != 8 or colour not in _PASSABLE_COLOUR_TYPES or compression
                    or filtering or interlace):
                return None
            first = False
        elif kind == b"tRNS":
            return None
        elif kind == b"IDAT":
            chunks.append(data)
        elif kind == b"IEND":
            return b"".join(chunks) or None
        pos = data_end + 4
    return None


def _unchanged_png(pillow_image) -> bytes | None:
    """The PNG a Pillow image was opened from (in memory), if the image is still that file:
    same size and mode as the file's header says (a resize or conversion in place changes them)."""
    fp = getattr(pillow_image, "fp", None)
    if pillow_image.format != "PNG" or not isinstance(fp, io.BytesIO):
        return None
    png = fp.getvalue()
    if len(png) < 33 or not png.startswith(PNG_SIGNATURE) or png[12:16] != b"IHDR":
        return None
    width, height, _, colour = struct.unpack_from(">IIBB", png, 16)
    if (width, height, _PASSABLE_COLOUR_TYPES.get(colour)) != (*pillow_image.size,
                                                              pillow_image.mode):
        return None
    return png


def install() -> None:
    """Make WeasyPrint embed passable PNGs' IDAT data as is (idempotent; see the module text)."""
    from weasyprint.images import RasterImage

    current = RasterImage.__dict__["_get_png_data"]
    original = current.__func__ if isinstance(current, staticmethod) else current
    if getattr(original, "hme_passthrough", False):
        return

    def _get_png_data(pillow_image):
        source = _unchanged_png(pillow_image)
        payload = idat_payload(source) if source is not None else None
        return payload if payload is not None else original(pillow_image)

    _get_png_data.hme_passthrough = True
    _get_png_data.weasyprint_original = original
    RasterImage._get_png_data = staticmethod(_get_png_data)
