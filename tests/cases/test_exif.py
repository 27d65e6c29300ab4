"""The EXIF reader on hand-built JPEGs: time and position read; hostile blocks refused, never crashed on."""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cases.jpegs import a_jpeg, exif_tiff
from truceline.cases.exif import ExifData, read_exif
from truceline.errors import InvalidInput


def test_time_and_position_are_read_from_a_little_endian_exif_block() -> None:
    exif = read_exif(a_jpeg())
    assert exif == ExifData(taken_at="2025-10-25T14:03:07+04:30", latitude=34.114733, longitude=71.083333)


def test_big_endian_and_southern_western_coordinates_are_read() -> None:
    tiff = exif_tiff(
        big_endian=True,
        offset=None,
        lat=("S", ((1, 1), (30, 1), (0, 1))),
        lon=("W", ((2, 1), (0, 1), (0, 1))),
    )
    assert read_exif(a_jpeg(tiff)) == ExifData(taken_at="2025-10-25T14:03:07", latitude=-1.5, longitude=-2.0)


def test_a_blank_camera_clock_is_no_time() -> None:
    assert read_exif(a_jpeg(exif_tiff(taken="0000:00:00 00:00:00", lat=None, lon=None))).is_empty


def test_files_that_are_not_jpeg_have_no_exif() -> None:
    assert read_exif(b"%PDF-1.7 ...").is_empty
    assert read_exif(b"\xff\xd8\xff\xd9").is_empty


def test_an_offset_pointing_outside_the_block_is_refused() -> None:
    tiff = bytearray(exif_tiff())
    tiff[4:8] = struct.pack("<I", 10_000)  # IFD0 far beyond the end
    with pytest.raises(InvalidInput, match="outside the block"):
        read_exif(a_jpeg(bytes(tiff)))


def test_a_segment_longer_than_the_file_is_refused() -> None:
    with pytest.raises(InvalidInput, match="beyond the file"):
        read_exif(b"\xff\xd8\xff\xe1\xff\xff Exif")


def test_a_huge_entry_count_is_refused() -> None:
    tiff = bytearray(exif_tiff())
    tiff[8:10] = struct.pack("<H", 60_000)
    with pytest.raises(InvalidInput, match="claims 60000 entries"):
        read_exif(a_jpeg(bytes(tiff)))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=400))
def test_damaged_exif_blocks_give_data_or_invalid_input_and_nothing_else(noise: bytes, at: int) -> None:
    tiff = bytearray(exif_tiff())
    at = min(at, len(tiff))
    tiff[at : at + len(noise)] = noise
    with contextlib.suppress(InvalidInput):
        read_exif(a_jpeg(bytes(tiff)))
