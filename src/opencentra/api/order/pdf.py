"""A plain-text PDF: lines of Courier on A4 pages, enough to print a delivery note or an invoice.

Written by hand because the documents are a few columns of text and a PDF
library would be a new dependency for that. Text is encoded for the
standard fonts (WinAnsi, close to Latin-1); characters outside it print as "?".
"""

from __future__ import annotations

from collections.abc import Sequence

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN = 42
FONT_SIZE = 9
LEADING = 12
LINES_PER_PAGE = (PAGE_HEIGHT - 2 * MARGIN) // LEADING
# Courier is 0.6 em wide: this many characters fit between the margins.
COLUMNS = int((PAGE_WIDTH - 2 * MARGIN) / (FONT_SIZE * 0.6))


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _page_stream(lines: Sequence[str]) -> bytes:
    parts = [b"BT", f"/F1 {FONT_SIZE} Tf {LEADING} TL {MARGIN} {PAGE_HEIGHT - MARGIN} Td".encode()]
    for line in lines:
        # Control characters would end the text string early in some readers.
        clean = "".join(ch if ch >= " " else " " for ch in line)[:COLUMNS]
        parts.append(b"(" + _escape(clean) + b") Tj T*")
    parts.append(b"ET")
    return b"\n".join(parts)


def render(lines: Sequence[str], *, title: str = "") -> bytes:
    """A PDF of ``lines``, as many pages as they need."""
    pages = [list(lines[i : i + LINES_PER_PAGE]) for i in range(0, max(len(lines), 1), LINES_PER_PAGE)] or [[]]
    # Objects: 1 catalog, 2 page tree, 3 font, 4 info, then a page and its content per page.
    objects: list[bytes] = [
        b"",
        b"",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
    ]
    objects.append(b"<< /Title (" + _escape(title) + b") /Producer (OpenCentra) >>")
    kids = []
    for page in pages:
        stream = _page_stream(page)
        page_number = len(objects) + 1
        kids.append(f"{page_number} 0 R")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_number + 1} 0 R >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode()
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
