"""Scanned and image-only reports built at test time from the corpus, so their truth is known.

- corpus PDFs rendered to page images (pypdfium2) at 150 or 200 dpi;
- corpus reports laid out as portal HTML (report_builder) rendered to one tall PNG by headless
  chromium with a CJK font (fonts-wqy-zenhei or fonts-noto-cjk, installed by scripts/test.sh);
- scanned variants: skew, blur, speckle noise, a red round seal over the signature, JPEG q60;
- packed as image-only PDFs (no text layer), as scanners and portals publish them.

Run as a script to write a set of them to a folder for a look: python tests/ocr_fixtures.py OUT
"""
from __future__ import annotations

import io
import math
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report_builder import report_html  # noqa: E402

CSS = """<style>
body { width: 720px; margin: 40px 48px; font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif;
       font-size: 16px; line-height: 1.7; color: #000; background: #fff; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
td { border: 1px solid #000; padding: 4px 3px; text-align: center; font-size: 14px; }
.nav, .info, .bottom { display: none; }
.sign { text-align: right; margin-top: 40px; }
</style>"""


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def html_png(page: str, dpi: int) -> Image.Image:
    """A portal page rendered to one tall image at `dpi` (CSS px are 96 per inch), cropped to its ink."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("chromium is not installed (scripts/test.sh installs it)")
    scale = dpi / 96
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "page.html"
        out = Path(tmp) / "page.png"
        src.write_text(page.replace("</head>", CSS + "</head>", 1) if "</head>" in page else CSS + page, encoding="utf-8")
        subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--force-device-scale-factor={scale}", "--window-size=816,3000",
                        f"--user-data-dir={tmp}/profile", f"--screenshot={out}", src.as_uri()],
                       check=True, capture_output=True, timeout=120)
        img = Image.open(out).convert("RGB")
    # crop the blank below the report
    gray = img.convert("L").point(lambda v: 255 if v < 200 else 0)
    box = gray.getbbox()
    if box:
        img = img.crop((0, 0, img.width, min(img.height, box[3] + int(0.4 * dpi))))
    return img


def report_page(truth: dict, title: str, organ: str, date: str = "2022年1月14日") -> str:
    """The report as a portal page, with a signature (body and date) for the seal to cover."""
    page = report_html(truth, title)
    sign = f'<p class="sign">{organ}</p><p class="sign" style="margin-top:0">{date}</p>'
    return page.replace("</div>\n<div class=\"bottom\">", sign + "</div>\n<div class=\"bottom\">", 1)


def pdf_pages(path: Path, dpi: int, pages: list[int] | None = None) -> list[Image.Image]:
    from parsers.ocr import render_pdf
    return render_pdf(path.read_bytes(), pages, dpi=dpi)


def split_pages(img: Image.Image, dpi: int) -> list[Image.Image]:
    """A tall image cut into A4-high pages (at the emptiest row near each page's end)."""
    import numpy as np

    h_page = int(11.69 * dpi)
    ink = (np.asarray(img.convert("L")) < 160).sum(axis=1)
    out = []
    top = 0
    while img.height - top > h_page:
        lo, hi = top + int(h_page * 0.8), top + h_page
        cut = lo + int(np.argmin(ink[lo:hi]))
        out.append(img.crop((0, top, img.width, cut)))
        top = cut
    out.append(img.crop((0, top, img.width, img.height)))
    return out


def seal(img: Image.Image, cx: int, cy: int, dpi: int) -> Image.Image:
    """A red round seal (ring, star, arc of characters' strokes) stamped at (cx, cy)."""
    img = img.copy()
    r = int(0.8 * dpi)
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    red = (220, 30, 30, 170)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=max(3, dpi // 30))
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = r * (0.3 if k % 2 == 0 else 0.13)
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    d.polygon(pts, fill=red)
    for k in range(14):  # the seal's arc of text, as short strokes
        a = math.pi * (0.85 + k * 1.3 / 13)
        x, y = cx + 0.72 * r * math.cos(a), cy + 0.72 * r * math.sin(a)
        d.rectangle((x - 6, y - 6, x + 6, y + 6), outline=red, width=3)
    img.paste(layer, (0, 0), layer)
    return img


def degrade(img: Image.Image, seed: int, skew: float = 1.5, dpi: int = 200, stamp: tuple[int, int] | None = None) -> Image.Image:
    """A scan of the page: seal, skew, blur, speckle noise, JPEG quality 60."""
    rnd = random.Random(seed)
    if stamp:
        img = seal(img, *stamp, dpi=dpi)
    img = img.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor=(255, 255, 255))
    img = img.filter(ImageFilter.GaussianBlur(0.8))
    px = img.load()
    w, h = img.size
    for _ in range(w * h // 400):  # speckles: 0.25 % of the pixels
        x, y = rnd.randrange(w), rnd.randrange(h)
        v = rnd.choice((0, 60, 255))
        px[x, y] = (v, v, v)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=60)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def image_pdf(pages: list[Image.Image], dpi: int) -> bytes:
    """Pages packed as an image-only PDF (JPEG pages, no text layer)."""
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=dpi, quality=85)
    return buf.getvalue()


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def jpeg(img: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def signature_point(img: Image.Image) -> tuple[int, int]:
    """Where the signature is: the right part of the last lines of ink."""
    box = img.convert("L").point(lambda v: 255 if v < 160 else 0).getbbox()
    return (int(img.width * 0.72), (box[3] if box else img.height) - int(img.width * 0.05))


if __name__ == "__main__":  # write a set for a look
    import json
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parents[1]
    truth = json.loads((root.parent / "shared/corpus/seeds/004_fd2255dcef9b15cd.truth.json").read_text(encoding="utf-8"))
    page = report_page(truth, "洛阳市洛龙区人民政府办公室2021年政府信息公开工作年度报告", "洛阳市洛龙区人民政府办公室")
    for dpi in (150, 200):
        img = html_png(page, dpi)
        img.save(out / f"html-{dpi}.png")
        degrade(img, 1, dpi=dpi, stamp=signature_point(img)).save(out / f"html-{dpi}-scan.jpg")


def part_scanned_pdf(path: Path, scanned: list[int], dpi: int) -> bytes:
    """The PDF with the listed pages (0-based) printed and scanned clean: those pages become
    pictures with no text layer, the others keep theirs (pypdfium2 puts them back together)."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(path.read_bytes())
    scans = pdfium.PdfDocument(image_pdf(pdf_pages(path, dpi, scanned), dpi))
    out = pdfium.PdfDocument.new()
    for n in range(len(src)):
        if n in scanned:
            out.import_pages(scans, [scanned.index(n)])
        else:
            out.import_pages(src, [n])
    buf = io.BytesIO()
    out.save(buf)
    for doc in (out, scans, src):
        doc.close()
    return buf.getvalue()
