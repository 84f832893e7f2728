"""Real-length sample reports, one file per preset shape and per broken rule.

Used by the tests (checks on real text) and the demo (realistic report text). Each file
holds sections as "## key" followed by the section's paragraphs.

  000_good  ≤1000字, 主要工作 ≤1/2, 存在问题 ≥1/3 (seed 000)
  001_good  ~2500字, three parts of about a third each (seed 001)
  003_good  ~3000字 as 1500 / ≥900 / 600 (seed 003)
  004_good  ≤1500字, problems and causes ≥1/3, last year's rectification (seed 004)
  *_bad_*   the same texts broken in one way each (see the name)
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).parent


def load_sample(name: str) -> dict[str, str]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in (HERE / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^## (\w+)\s*$", line)
        if m:
            current = m.group(1)
            sections[current] = []
        elif current is not None and line.strip():
            sections[current].append(line.strip())
    return {k: "\n".join(v) for k, v in sections.items()}


def names() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.txt"))


def make_png(
    width: int = 320, height: int = 200, rgb: tuple[int, int, int] = (183, 28, 28)
) -> bytes:
    """A valid solid-colour PNG with a lighter band, for tests and demo case pictures."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    light = tuple(min(255, c + 90) for c in rgb)
    rows = []
    for y in range(height):
        colour = light if height // 3 <= y < 2 * height // 3 else rgb
        rows.append(b"\x00" + bytes(colour) * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )
