"""Tiny but structurally valid recordings, and broken ones, built in code."""

from __future__ import annotations

import struct


def mp3(frames: int = 3) -> bytes:
    # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding: 417-byte frames.
    frame = b"\xff\xfb\x90\x00" + bytes(413)
    return b"ID3\x03\x00\x00\x00\x00\x00\x00" + frame * frames


def _ogg_page(sequence: int, body: bytes) -> bytes:
    header = (
        b"OggS" + bytes([0, 2 if sequence == 0 else 0]) + struct.pack("<qIII", 0, 1, sequence, 0)
    )
    return header + bytes([1, len(body)]) + body


def ogg() -> bytes:
    return _ogg_page(0, b"\x01vorbis" + bytes(20)) + _ogg_page(1, b"\x03vorbis" + bytes(10))


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def m4a() -> bytes:
    return (
        _box(b"ftyp", b"M4A \x00\x00\x00\x00M4A isom")
        + _box(b"moov", _box(b"mvhd", bytes(20)))
        + _box(b"mdat", bytes(64))
    )
