"""Image checking without a decoder library (Pillow is not installed on the servers): each format
is walked structure by structure, its size read from the header and refused above MAX_PIXELS
before anything is decompressed, and the file rebuilt from the parts a viewer needs, so that
metadata (EXIF with GPS, comments, text chunks) and anything appended after the image's end
marker (an HTML or ZIP polyglot) are not stored. PNG image data is inflated as a stream, with
the expected length and row filters checked, in bounded memory.

`image_clean(data, content_type)` returns the rebuilt bytes or raises BadImage / ImageTooLarge."""

import struct
import zlib

MAX_PIXELS = 40_000_000


class BadImage(ValueError):
    """The bytes are not a well-formed image of the claimed type."""


class ImageTooLarge(ValueError):
    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        super().__init__(f"{width}x{height}")


def _check_size(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise BadImage("zero size")
    if width * height > MAX_PIXELS:
        raise ImageTooLarge(width, height)


def image_clean(data: bytes, content_type: str) -> bytes:
    cleaner = _CLEANERS.get(content_type)
    if cleaner is None:
        raise BadImage(content_type)
    try:
        return cleaner(data)
    except (BadImage, ImageTooLarge):
        raise
    except (struct.error, IndexError, ValueError, StopIteration, zlib.error) as exc:  # truncated or damaged
        raise BadImage(str(exc)) from exc


# ---------------------------------------------------------------------------------------------
# PNG

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: chunks a viewer needs to show the image as intended; text, time, EXIF and APNG frames are dropped
_PNG_KEEP = {b"IHDR", b"PLTE", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs", b"IDAT", b"IEND"}
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
#: Adam7 passes: (x start, y start, x step, y step)
_ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def _png_rows(width: int, height: int, bits_per_pixel: int, interlaced: bool):
    """The byte length of each scanline (filter byte included), in stream order."""
    passes = _ADAM7 if interlaced else [(0, 0, 1, 1)]
    for x0, y0, dx, dy in passes:
        pass_width = (width - x0 + dx - 1) // dx
        pass_height = (height - y0 + dy - 1) // dy
        if pass_width <= 0 or pass_height <= 0:
            continue
        row = 1 + (pass_width * bits_per_pixel + 7) // 8
        for _ in range(pass_height):
            yield row


def _png_clean(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise BadImage("signature")
    pos = len(_PNG_SIGNATURE)
    kept = [_PNG_SIGNATURE]
    header = None
    idat = []
    seen_iend = False
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if len(body) != length or zlib.crc32(kind + body) != crc:
            raise BadImage("chunk")
        chunk = data[pos:pos + 12 + length]
        pos += 12 + length
        if header is None:
            if kind != b"IHDR" or length != 13:
                raise BadImage("IHDR first")
            header = struct.unpack(">IIBBBBB", body)
            width, height, depth, colour, compression, filtering, interlace = header
            _check_size(width, height)
            if colour not in _PNG_DEPTHS or depth not in _PNG_DEPTHS[colour] or compression or filtering or interlace > 1:
                raise BadImage("IHDR")
        elif kind == b"IHDR":
            raise BadImage("second IHDR")
        if kind == b"IDAT":
            if idat and kept[-1] is not idat[-1]:
                raise BadImage("IDAT not consecutive")
            idat.append(chunk)
        if kind in _PNG_KEEP:
            kept.append(chunk)
        if kind == b"IEND":
            seen_iend = True
            break  # whatever follows the end is not part of the image
    if header is None or not idat or not seen_iend:
        raise BadImage("incomplete")
    width, height, depth, colour, _c, _f, interlace = header
    if colour == 3 and not any(c[4:8] == b"PLTE" for c in kept):
        raise BadImage("palette")
    _png_inflate_check(idat, _png_rows(width, height, depth * _PNG_CHANNELS[colour], bool(interlace)))
    return b"".join(kept)


def _png_inflate_check(idat_chunks: list[bytes], rows) -> None:
    """Inflates the image data a megabyte at a time and checks that it is exactly the expected
    scanlines, each starting with a valid filter type (0-4)."""
    inflater = zlib.decompressobj()
    rows = iter(rows)
    next_filter = 0  # offset of the next scanline's filter byte in the inflated stream
    offset = 0

    def consume(out: bytes):
        nonlocal next_filter, offset
        while next_filter < offset + len(out):
            if out[next_filter - offset] > 4:
                raise BadImage("filter")
            row = next(rows, None)
            if row is None:
                raise BadImage("too much data")
            next_filter += row
        offset += len(out)

    for chunk in idat_chunks:
        pending = chunk[8:-4]
        while pending:
            out = inflater.decompress(pending, 1 << 20)
            consume(out)
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    while not inflater.eof:
        out = inflater.decompress(b"", 1 << 20)
        if not out:
            break
        consume(out)
    if not inflater.eof or next(rows, None) is not None or offset != next_filter:
        raise BadImage("truncated")


# ---------------------------------------------------------------------------------------------
# JPEG

_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
#: segments kept besides the frame, tables and scans: JFIF (APP0), ICC profile (APP2), Adobe (APP14)
_JPEG_KEEP_APP = {0xE0, 0xEE}


def _exif_orientation(body: bytes) -> int | None:
    """The Orientation tag of an APP1 Exif segment, so a phone photo is not shown on its side."""
    if not body.startswith(b"Exif\0\0"):
        return None
    tiff = body[6:]
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None:
        return None
    (ifd,) = struct.unpack(order + "I", tiff[4:8])
    (count,) = struct.unpack(order + "H", tiff[ifd:ifd + 2])
    for i in range(min(count, 200)):
        tag, kind, _n = struct.unpack(order + "HHI", tiff[ifd + 2 + 12 * i:ifd + 10 + 12 * i])
        if tag == 0x0112 and kind == 3:
            (value,) = struct.unpack(order + "H", tiff[ifd + 10 + 12 * i:ifd + 12 + 12 * i])
            return value if 1 <= value <= 8 else None
    return None


def _exif_with_orientation(value: int) -> bytes:
    tiff = b"MM\0*" + struct.pack(">I", 8) + struct.pack(">H", 1) + struct.pack(">HHIHH", 0x0112, 3, 1, value, 0)
    tiff += struct.pack(">I", 0)
    body = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def _jpeg_clean(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise BadImage("SOI")
    out = [b"\xff\xd8"]
    pos = 2
    frame = scan = False
    orientation = None
    while True:
        if data[pos] != 0xFF:
            raise BadImage("marker")
        while data[pos] == 0xFF:  # fill bytes
            pos += 1
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI; anything after it is not part of the image
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            raise BadImage("stray marker")
        (length,) = struct.unpack(">H", data[pos:pos + 2])
        segment = data[pos + 2:pos + length]
        if length < 2 or len(segment) != length - 2:
            raise BadImage("segment")
        whole = b"\xff" + bytes([marker]) + data[pos:pos + length]
        pos += length
        if marker in _SOF_MARKERS:
            if frame:
                raise BadImage("second frame")
            height, width = struct.unpack(">HH", segment[1:5])
            _check_size(width, height)
            frame = True
            out.append(whole)
        elif marker == 0xDA:  # SOS, then entropy-coded data up to the next marker
            if not frame:
                raise BadImage("scan before frame")
            start = pos
            while True:
                pos = data.index(b"\xff", pos)
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos += 2
                    continue
                if following == 0xFF:
                    pos += 1
                    continue
                break
            out.append(whole + data[start:pos])
            scan = True
        elif marker == 0xE1 and orientation is None:
            orientation = _exif_orientation(segment)
        elif marker in _JPEG_KEEP_APP or (marker == 0xE2 and segment.startswith(b"ICC_PROFILE\0")):
            out.append(whole)
        elif 0xE0 <= marker <= 0xEF or marker == 0xFE:
            continue  # other APPn (XMP, Photoshop IRB, maker notes) and comments
        else:  # DQT, DHT, DRI, DAC, DNL, EXP
            out.append(whole)
    if not (frame and scan):
        raise BadImage("no image data")
    if orientation and orientation != 1:
        out.insert(1, _exif_with_orientation(orientation))
    out.append(b"\xff\xd9")
    return b"".join(out)


# ---------------------------------------------------------------------------------------------
# GIF


def _gif_sub_blocks(data: bytes, pos: int) -> int:
    """The position after a chain of data sub-blocks (ending with a zero-length block)."""
    while True:
        size = data[pos]
        if pos + 1 + size > len(data):
            raise BadImage("sub-block")
        pos += 1 + size
        if size == 0:
            return pos


def _gif_clean(data: bytes) -> bytes:
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise BadImage("signature")
    width, height, packed = struct.unpack("<HHB", data[6:11])
    _check_size(width, height)
    pos = 13
    if packed & 0x80:
        pos += 3 * (2 << (packed & 0x07))
    out = [data[:pos]]
    frames = 0
    while True:
        introducer = data[pos]
        if introducer == 0x3B:  # trailer; anything after it is not part of the image
            break
        if introducer == 0x21:
            label = data[pos + 1]
            end = _gif_sub_blocks(data, pos + 2)
            block = data[pos:end]
            # graphic control (timing, transparency) and the looping extension are kept; comments,
            # plain text and other applications' data are not
            if label == 0xF9 or (label == 0xFF and block[3:14] in (b"NETSCAPE2.0", b"ANIMEXTS1.0")):
                out.append(block)
            pos = end
        elif introducer == 0x2C:
            frame_width, frame_height, frame_packed = struct.unpack("<HHB", data[pos + 5:pos + 10])
            _check_size(frame_width, frame_height)
            start = pos
            pos += 10
            if frame_packed & 0x80:
                pos += 3 * (2 << (frame_packed & 0x07))
            if not 1 <= data[pos] <= 11:  # LZW minimum code size
                raise BadImage("LZW")
            pos = _gif_sub_blocks(data, pos + 1)
            out.append(data[start:pos])
            frames += 1
        else:
            raise BadImage("block")
    if not frames:
        raise BadImage("no frames")
    out.append(b"\x3b")
    return b"".join(out)


# ---------------------------------------------------------------------------------------------
# WEBP

_WEBP_KEEP = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
_VP8X_EXIF_XMP = 0x08 | 0x04


def _webp_clean(data: bytes) -> bytes:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise BadImage("signature")
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_size
    if end > len(data):
        raise BadImage("truncated")
    pos = 12
    chunks = []
    size = None
    while pos < end:
        kind = data[pos:pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length:
            raise BadImage("chunk")
        if size is None:
            if kind == b"VP8X":
                width = 1 + int.from_bytes(body[4:7], "little")
                height = 1 + int.from_bytes(body[7:10], "little")
                body = bytes([body[0] & ~_VP8X_EXIF_XMP & 0xFF]) + body[1:]
            elif kind == b"VP8 ":
                if body[3:6] != b"\x9d\x01\x2a":
                    raise BadImage("VP8")
                width, height = (v & 0x3FFF for v in struct.unpack("<HH", body[6:10]))
            elif kind == b"VP8L":
                if body[0] != 0x2F:
                    raise BadImage("VP8L")
                bits = int.from_bytes(body[1:5], "little")
                width, height = 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
            else:
                raise BadImage("first chunk")
            _check_size(width, height)
            size = (width, height)
        if kind in _WEBP_KEEP:
            chunks.append(kind + struct.pack("<I", length) + body + (b"\0" if length % 2 else b""))
        pos += 8 + length + (length % 2)
    if size is None or not any(c[:4] in (b"VP8 ", b"VP8L", b"ANMF") for c in chunks):
        raise BadImage("no image data")
    payload = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


_CLEANERS = {
    "image/png": _png_clean,
    "image/jpeg": _jpeg_clean,
    "image/gif": _gif_clean,
    "image/webp": _webp_clean,
}
