"""A minimal, strict EXIF reader for JPEG evidence: DateTimeOriginal and GPS position, nothing else.

Uploads are hostile, so this reads only what it needs and checks every offset against the buffer:
it walks the JPEG markers to the first APP1 "Exif" segment, then IFD0, the Exif IFD and the GPS IFD
of the TIFF structure inside (TIFF 6.0 §2; Exif 2.32 §4.6), following each pointer at most once.
Anything malformed raises InvalidInput; a file that is no JPEG or has no EXIF gives an empty result.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import Any

from truceline.errors import InvalidInput

_SOI = b"\xff\xd8"
_APP1 = 0xE1
_SOS = 0xDA
_EOI = 0xD9
_EXIF_HEADER = b"Exif\x00\x00"
_MAX_IFD_ENTRIES = 512
# TIFF 6.0 §2 field types: type code -> size of one value in bytes.
_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8}
_ASCII, _SHORT, _LONG, _RATIONAL = 2, 3, 4, 5

TAG_EXIF_IFD = 0x8769
TAG_GPS_IFD = 0x8825
TAG_DATETIME_ORIGINAL = 0x9003
TAG_OFFSET_TIME_ORIGINAL = 0x9011
TAG_GPS_LAT_REF, TAG_GPS_LAT, TAG_GPS_LON_REF, TAG_GPS_LON = 1, 2, 3, 4

_EXIF_DATETIME = re.compile(r"(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"[+-]\d{2}:\d{2}")


@dataclass(frozen=True, slots=True)
class ExifData:
    """What the camera recorded. `taken_at` is ISO 8601 local time, with its UTC offset when recorded."""

    taken_at: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"taken_at": self.taken_at, "latitude": self.latitude, "longitude": self.longitude}

    @property
    def is_empty(self) -> bool:
        return self.taken_at is None and self.latitude is None and self.longitude is None


def read_exif(data: bytes) -> ExifData:
    """EXIF time and position of a JPEG; empty for other files; InvalidInput for a malformed EXIF block."""
    tiff = _find_exif_segment(data)
    if tiff is None:
        return ExifData()
    return _parse_tiff(tiff)


def _find_exif_segment(data: bytes) -> bytes | None:
    if not data.startswith(_SOI):
        return None
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise InvalidInput(f"JPEG: expected a marker at byte {pos}")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker in (_SOS, _EOI):
            return None
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        if length < 2 or end > len(data):
            raise InvalidInput(f"JPEG: segment at byte {pos} claims {length} bytes, beyond the file")
        body = data[pos + 4 : end]
        if marker == _APP1 and body.startswith(_EXIF_HEADER):
            return body[len(_EXIF_HEADER) :]
        pos = end
    return None


class _Tiff:
    def __init__(self, data: bytes) -> None:
        if len(data) < 8:
            raise InvalidInput("EXIF: TIFF header is truncated")
        order = data[:2]
        if order == b"II":
            self.endian = "<"
        elif order == b"MM":
            self.endian = ">"
        else:
            raise InvalidInput("EXIF: TIFF byte order must be II or MM")
        self.data = data
        if self.unpack("H", 2) != 42:
            raise InvalidInput("EXIF: TIFF magic number is not 42")

    def unpack(self, fmt: str, offset: int) -> int:
        size = struct.calcsize(fmt)
        if offset < 0 or offset + size > len(self.data):
            raise InvalidInput(f"EXIF: read of {size} bytes at offset {offset} is outside the block")
        value: int = struct.unpack(self.endian + fmt, self.data[offset : offset + size])[0]
        return value

    def ifd(self, offset: int) -> dict[int, tuple[int, int, bytes]]:
        """tag -> (type, count, raw value bytes) for one IFD."""
        count = self.unpack("H", offset)
        if count > _MAX_IFD_ENTRIES:
            raise InvalidInput(f"EXIF: IFD at {offset} claims {count} entries")
        entries: dict[int, tuple[int, int, bytes]] = {}
        for i in range(count):
            at = offset + 2 + 12 * i
            tag, kind, n = self.unpack("H", at), self.unpack("H", at + 2), self.unpack("I", at + 4)
            size = _TYPE_SIZES.get(kind)
            if size is None:
                continue  # a type this reader does not need
            total = size * n
            if total > len(self.data):
                raise InvalidInput(f"EXIF: tag 0x{tag:04x} claims {total} bytes")
            start = at + 8 if total <= 4 else self.unpack("I", at + 8)
            if start + total > len(self.data):
                raise InvalidInput(f"EXIF: tag 0x{tag:04x} points outside the block")
            entries[tag] = (kind, n, self.data[start : start + total])
        return entries

    def pointer(self, entries: dict[int, tuple[int, int, bytes]], tag: int) -> int | None:
        entry = entries.get(tag)
        if entry is None:
            return None
        kind, n, raw = entry
        if kind != _LONG or n != 1:
            raise InvalidInput(f"EXIF: pointer tag 0x{tag:04x} must be one LONG")
        value: int = struct.unpack(self.endian + "I", raw)[0]
        return value

    def ascii(self, entries: dict[int, tuple[int, int, bytes]], tag: int) -> str | None:
        entry = entries.get(tag)
        if entry is None or entry[0] != _ASCII:
            return None
        return entry[2].split(b"\x00", 1)[0].decode("ascii", errors="replace").strip()

    def rationals(self, entries: dict[int, tuple[int, int, bytes]], tag: int) -> list[float] | None:
        entry = entries.get(tag)
        if entry is None:
            return None
        kind, n, raw = entry
        if kind != _RATIONAL:
            raise InvalidInput(f"EXIF: GPS tag {tag} must be RATIONAL")
        values = []
        for i in range(n):
            num, den = struct.unpack(self.endian + "II", raw[8 * i : 8 * i + 8])
            if den == 0:
                raise InvalidInput(f"EXIF: GPS tag {tag} has a zero denominator")
            values.append(num / den)
        return values


def _parse_tiff(data: bytes) -> ExifData:
    tiff = _Tiff(data)
    ifd0 = tiff.ifd(tiff.unpack("I", 4))
    taken_at = None
    exif_offset = tiff.pointer(ifd0, TAG_EXIF_IFD)
    if exif_offset is not None:
        exif_ifd = tiff.ifd(exif_offset)
        taken_at = _taken_at(
            tiff.ascii(exif_ifd, TAG_DATETIME_ORIGINAL), tiff.ascii(exif_ifd, TAG_OFFSET_TIME_ORIGINAL)
        )
    latitude = longitude = None
    gps_offset = tiff.pointer(ifd0, TAG_GPS_IFD)
    if gps_offset is not None:
        gps = tiff.ifd(gps_offset)
        latitude = _coordinate(tiff.ascii(gps, TAG_GPS_LAT_REF), tiff.rationals(gps, TAG_GPS_LAT), "NS", 90)
        longitude = _coordinate(tiff.ascii(gps, TAG_GPS_LON_REF), tiff.rationals(gps, TAG_GPS_LON), "EW", 180)
        if (latitude is None) != (longitude is None):
            latitude = longitude = None  # half a position is no position
    return ExifData(taken_at=taken_at, latitude=latitude, longitude=longitude)


def _taken_at(value: str | None, offset: str | None) -> str | None:
    if not value:
        return None
    match = _EXIF_DATETIME.fullmatch(value)
    if match is None:
        # Cameras without a set clock write blanks or zeros; that is "unknown", not an error.
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        return None
    stamp = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
    return stamp + offset if offset and _OFFSET.fullmatch(offset) else stamp


def _coordinate(ref: str | None, dms: list[float] | None, refs: str, limit: float) -> float | None:
    if ref is None or dms is None:
        return None
    if ref not in refs or len(dms) != 3:
        raise InvalidInput(f"EXIF: GPS reference {ref!r} or value count {len(dms)} is invalid")
    degrees = dms[0] + dms[1] / 60 + dms[2] / 3600
    if degrees > limit:
        raise InvalidInput(f"EXIF: GPS coordinate {degrees} is beyond {limit}")
    return round(-degrees if ref == refs[1] else degrees, 6)
