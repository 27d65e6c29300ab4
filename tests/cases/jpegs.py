"""Tiny JPEGs with hand-built EXIF blocks (TIFF 6.0 layout), for the EXIF reader and evidence tests."""

from __future__ import annotations

import struct

DMS = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]


def _entry(endian: str, tag: int, kind: int, count: int, value: bytes) -> bytes:
    return struct.pack(endian + "HHI", tag, kind, count) + value.ljust(4, b"\x00")


def exif_tiff(
    *,
    taken: str | None = "2025:10:25 14:03:07",
    offset: str | None = "+04:30",
    lat: tuple[str, DMS] | None = ("N", ((34, 1), (6, 1), (5304, 100))),
    lon: tuple[str, DMS] | None = ("E", ((71, 1), (5, 1), (0, 1))),
    big_endian: bool = False,
) -> bytes:
    """A TIFF block: IFD0 -> Exif IFD (DateTimeOriginal, OffsetTimeOriginal) and GPS IFD."""
    e = ">" if big_endian else "<"
    header = (b"MM" if big_endian else b"II") + struct.pack(e + "HI", 42, 8)
    # Layout: header(8) | IFD0 (2 + 2*12 + 4 = 30) at 8 | Exif IFD at 38 | GPS IFD after | data area after.
    exif_at = 38
    exif_entries = [x for x in (taken, offset) if x is not None]
    gps_at = exif_at + 2 + 12 * len(exif_entries) + 4
    gps_count = (2 if lat else 0) + (2 if lon else 0)
    data_at = gps_at + 2 + 12 * gps_count + 4
    data = b""

    def put(blob: bytes) -> bytes:
        nonlocal data
        offset_bytes = struct.pack(e + "I", data_at + len(data))
        data += blob
        return offset_bytes

    ifd0 = struct.pack(e + "H", 2)
    ifd0 += _entry(e, 0x8769, 4, 1, struct.pack(e + "I", exif_at))
    ifd0 += _entry(e, 0x8825, 4, 1, struct.pack(e + "I", gps_at))
    ifd0 += b"\x00" * 4
    exif = struct.pack(e + "H", len(exif_entries))
    if taken is not None:
        raw = taken.encode() + b"\x00"
        exif += _entry(e, 0x9003, 2, len(raw), put(raw))
    if offset is not None:
        raw = offset.encode() + b"\x00"
        exif += _entry(e, 0x9011, 2, len(raw), put(raw))
    exif += b"\x00" * 4
    gps = struct.pack(e + "H", gps_count)
    for (ref_tag, val_tag), coordinate in (((1, 2), lat), ((3, 4), lon)):
        if coordinate is None:
            continue
        ref, dms = coordinate
        gps += _entry(e, ref_tag, 2, 2, ref.encode() + b"\x00")
        gps += _entry(e, val_tag, 5, 3, put(b"".join(struct.pack(e + "II", n, d) for n, d in dms)))
    gps += b"\x00" * 4
    return header + ifd0 + exif + gps + data


def a_jpeg(tiff: bytes | None = None) -> bytes:
    """SOI, an APP0 segment, an APP1 "Exif" segment holding `tiff`, and EOI: enough for a reader."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    body = b"Exif\x00\x00" + (tiff if tiff is not None else exif_tiff())
    app1 = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    return b"\xff\xd8" + app0 + app1 + b"\xff\xda\x00\x02" + b"\x00" * 16 + b"\xff\xd9"
