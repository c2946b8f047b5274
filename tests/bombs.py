"""Hostile files built at test time (never committed): DOCX decompression bombs, PDFs with
endless pages or a content stream that inflates to hundreds of MB."""
from __future__ import annotations

import io
import zipfile
import zlib

MB = 1024 * 1024


def _docx_template() -> tuple[zipfile.ZipFile, str, str]:
    import docx

    d = docx.Document()
    d.add_paragraph("2023年政府信息公开工作年度报告")
    buf = io.BytesIO()
    d.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    xml = src.read("word/document.xml").decode()
    head, rest = xml.split("<w:body>", 1)
    return src, head + "<w:body>", "</w:body>" + rest.split("</w:body>", 1)[1]


def docx_bomb(inflated_mb: float, paragraph: bytes = b"<w:p><w:r><w:t>" + "信息公开".encode() * 200
              + b"</w:t></w:r></w:p>") -> bytes:
    """A valid DOCX whose word/document.xml inflates to about `inflated_mb` MiB of `paragraph`
    repeated; written in steps, so building it never holds the inflated XML."""
    src, head, tail = _docx_template()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                z.writestr(info, src.read(info))
                continue
            with z.open("word/document.xml", "w", force_zip64=True) as f:
                f.write(head.encode())
                chunk = paragraph * max(1, MB // len(paragraph))
                for _ in range(int(inflated_mb * MB // len(chunk))):
                    f.write(chunk)
                f.write(tail.encode())
    return out.getvalue()


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given objects (1-based; object 1 is the catalog) with a correct xref."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_pages(n: int) -> bytes:
    """A PDF of n pages, each with a line of text (they share one content stream)."""
    text = b"BT /F1 12 Tf 72 720 Td (Annual report on government information disclosure) Tj ET"
    first_page = 5
    kids = " ".join(f"{first_page + i} 0 R" for i in range(n)).encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(n).encode() + b" >>",
               _FONT,
               b"<< /Length " + str(len(text)).encode() + b" >>\nstream\n" + text + b"\nendstream"]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    objects += [page] * n
    return _pdf(objects)


def pdf_stream_bomb(inflated_mb: int) -> bytes:
    """A one-page PDF whose content stream (FlateDecode) inflates to `inflated_mb` MiB of text
    operators; compressed in steps."""
    comp = zlib.compressobj(9)
    line = b"BT /F1 12 Tf 72 720 Td (0123456789) Tj ET\n"
    chunk = line * (MB // len(line))
    data = comp.compress(b"")
    for _ in range(inflated_mb):
        data += comp.compress(chunk)
    data += comp.flush()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
               _FONT,
               b"<< /Length " + str(len(data)).encode() + b" /Filter /FlateDecode >>\nstream\n" + data + b"\nendstream",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"]
    return _pdf(objects)
