"""QR slips: every token gets its own slip whose picture is that token's QR code, in
order, twelve to a page, and the file still opens and keeps its format."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import segno
from docx import Document

from shuping.ballots.exports import qr_png, slips_docx
from shuping.ballots.models import Ballot
from shuping.lib.doccheck import FORM, docx_problems


def _pixels(png: bytes) -> tuple[int, list[bytes]]:
    """Width and scanlines of an 8-bit grey PNG with filter "none" (what qr_png writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(body, zlib.crc32(kind)) == crc
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (width, depth, colour) == (height, 8, 0)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    lines = [raw[i : i + width + 1] for i in range(0, len(raw), width + 1)]
    assert all(line[0] == 0 for line in lines)
    return width, [line[1:] for line in lines]


def test_qr_png_draws_the_matrix_with_a_quiet_zone() -> None:
    qr = segno.make("https://example.org/b/abc", error="m")
    width, lines = _pixels(qr_png(qr.matrix, scale=4, border=2))
    n = len(qr.matrix)
    assert width == (n + 4) * 4 and len(lines) == width
    for y in range(width):
        for x in range(width):
            mx, my = x // 4 - 2, y // 4 - 2
            dark = 0 <= mx < n and 0 <= my < n and qr.matrix[my][mx]
            assert lines[y][x] == (0 if dark else 255)


def test_each_slip_carries_its_own_token_and_code(ballot: Ballot) -> None:
    tokens = [f"token{i:02d}-{'x' * 14}" for i in range(14)]
    category = ballot.categories[0]["key"]
    name, _, data = slips_docx(ballot, tokens, category=category, base_url="https://h/b")
    assert name.endswith("14张.docx")
    assert docx_problems(data, FORM) == []
    doc = Document(io.BytesIO(data))
    assert [len(t.rows) for t in doc.tables] == [4, 1]  # 12 on the first page, 2 after
    cells = [c for t in doc.tables for row in t.rows for c in row.cells]
    texts = [[p.text for p in c.paragraphs] for c in cells]
    assert [t[-1] for t in texts if len(t) > 1] == tokens
    first = texts[0]
    assert first[2] == ballot.meeting.title and "https://h/b/" in first
    assert f"民主测评票 · {ballot.category_title(category)}" in first
    # The picture of the n-th slip is the QR code of the n-th token's address.
    pictures = [c._tc.xpath(".//a:blip/@r:embed")[0] for c in cells if c.paragraphs[0].runs]
    assert len(pictures) == len(set(pictures)) == 14
    mask = segno.make(f"https://h/b/{tokens[0]}", error="m").mask
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sum(n.startswith("word/media/") for n in z.namelist()) == 14
    for token, rid in zip(tokens, pictures, strict=True):
        blob = doc.part.related_parts[rid].blob
        want = segno.make(f"https://h/b/{token}", error="m", mask=mask, boost_error=False)
        assert blob == qr_png(want.matrix)


def test_no_tokens_no_slips(ballot: Ballot) -> None:
    category = ballot.categories[0]["key"]
    _, _, data = slips_docx(ballot, [], category=category, base_url="https://h/b")
    assert Document(io.BytesIO(data)).tables == []
