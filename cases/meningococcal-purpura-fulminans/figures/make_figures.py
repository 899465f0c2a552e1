"""Draw the synthetic illustrations of this sample case (Figure panels A-D).

Every image is a schematic drawn here, not a photograph or a radiograph of anyone: body maps
of the purpura at three times and a schematic chest radiograph. Each is labelled
"Illustration". Run from anywhere with a Python that has Pillow:

    /work/main/.venv/bin/python figures/make_figures.py

The PNGs are written beside this script without any metadata (no text chunks, no dpi, no
EXIF), 1200 x 1500 pixels each, so that the four panels share one aspect ratio.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
FONTS = Path("/work/main/templates/base/assets/fonts")
W, H = 1200, 1500

SKIN = (243, 222, 204)
OUTLINE = (120, 110, 105)
PETECHIA = (150, 20, 40)
PURPURA = (120, 25, 70)
NECROSIS = (45, 25, 25)
RIM = (170, 40, 50)
LABEL = (90, 90, 90)


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def body_parts(cx: int, top: int, scale: float) -> dict[str, list[tuple[float, float]] | tuple]:
    """Polygons (and the head ellipse) of a simple front-facing child outline."""
    s = scale

    def p(x: float, y: float) -> tuple[float, float]:
        return (cx + x * s, top + y * s)

    return {
        "head": (p(-70, 0), p(70, 150)),
        "neck": [p(-25, 140), p(25, 140), p(28, 175), p(-28, 175)],
        "torso": [p(-120, 175), p(120, 175), p(130, 300), p(112, 520), p(-112, 520), p(-130, 300)],
        "arm_r": [p(-120, 180), p(-160, 200), p(-205, 430), p(-215, 560), p(-180, 565), p(-165, 440), p(-130, 300)],
        "arm_l": [p(120, 180), p(160, 200), p(205, 430), p(215, 560), p(180, 565), p(165, 440), p(130, 300)],
        "hand_r": (p(-232, 555), p(-170, 625)),
        "hand_l": (p(170, 555), p(232, 625)),
        "leg_r": [p(-112, 515), p(-5, 515), p(-15, 800), p(-30, 980), p(-95, 980), p(-110, 800)],
        "leg_l": [p(5, 515), p(112, 515), p(110, 800), p(95, 980), p(30, 980), p(15, 800)],
        "foot_r": [p(-95, 975), p(-30, 975), p(-25, 1015), p(-120, 1015)],
        "foot_l": [p(30, 975), p(95, 975), p(120, 1015), p(25, 1015)],
    }


def draw_body(draw: ImageDraw.ImageDraw, parts: dict) -> None:
    for name, shape in parts.items():
        if name in ("head", "hand_r", "hand_l"):
            draw.ellipse(shape, fill=SKIN, outline=OUTLINE, width=4)
        else:
            draw.polygon(shape, fill=SKIN, outline=OUTLINE, width=4)


def inside(poly: list[tuple[float, float]], x: float, y: float) -> bool:
    """Ray casting: is (x, y) inside the polygon?"""
    result = False
    j = len(poly) - 1
    for i, (xi, yi) in enumerate(poly):
        xj, yj = poly[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            result = not result
        j = i
    return result


def scatter(draw, rng, poly, n, rmin, rmax, colour, band=None) -> None:
    xs = [x for x, _ in poly]
    ys = [y for _, y in poly]
    y0, y1 = (min(ys), max(ys)) if band is None else band
    placed = 0
    while placed < n:
        x = rng.uniform(min(xs), max(xs))
        y = rng.uniform(y0, y1)
        if inside(poly, x, y):
            r = rng.uniform(rmin, rmax)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
            placed += 1


def blotch(img: Image.Image, poly, rng, colour, n, rmin, rmax, band=None, blur=6) -> None:
    """Confluent, irregular patches, softened, clipped to the limb's outline."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    scatter(d, rng, poly, n, rmin, rmax, colour + (210,), band)
    layer = layer.filter(ImageFilter.GaussianBlur(blur))
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).polygon(poly, fill=255)
    clipped = Image.new("RGBA", img.size, (0, 0, 0, 0))
    clipped.paste(layer, (0, 0), mask)
    img.alpha_composite(clipped)


def caption(draw: ImageDraw.ImageDraw, title: str, legend: list[tuple[tuple[int, int, int], str]], dark=False) -> None:
    ink = (235, 235, 235) if dark else (40, 40, 40)
    draw.text((60, 40), title, fill=ink, font=font(44, bold=True))
    y = 1330
    for colour, text in legend:
        draw.ellipse((60, y + 6, 92, y + 38), fill=colour)
        draw.text((110, y), text, fill=ink, font=font(32))
        y += 50
    draw.text((W - 60, H - 40), "Illustration", fill=(170, 170, 170) if dark else LABEL,
              font=font(26), anchor="rs")


def side_markers(draw: ImageDraw.ImageDraw, dark=False) -> None:
    ink = (235, 235, 235) if dark else LABEL
    draw.text((90, 700), "R", fill=ink, font=font(48, bold=True), anchor="mm")
    draw.text((W - 90, 700), "L", fill=ink, font=font(48, bold=True), anchor="mm")


def new_canvas(background=(255, 255, 255)) -> Image.Image:
    return Image.new("RGBA", (W, H), background + (255,))


def panel_a() -> Image.Image:
    img = new_canvas()
    d = ImageDraw.Draw(img)
    parts = body_parts(W // 2, 160, 1.12)
    draw_body(d, parts)
    rng = random.Random(1)
    scatter(d, rng, parts["torso"], 22, 4, 7, PETECHIA)
    for leg in ("leg_r", "leg_l"):
        scatter(d, rng, parts[leg], 14, 4, 7, PETECHIA)
        scatter(d, rng, parts[leg], 4, 10, 16, PURPURA)
    scatter(d, rng, parts["torso"], 3, 10, 14, PURPURA)
    side_markers(d)
    caption(d, "Anterior, on arrival", [(PETECHIA, "Petechiae (<2 mm)"), (PURPURA, "Purpura (>2 mm)")])
    return img


def panel_b() -> Image.Image:
    img = new_canvas()
    d = ImageDraw.Draw(img)
    parts = body_parts(W // 2, 160, 1.12)
    draw_body(d, parts)
    rng = random.Random(2)
    scatter(d, rng, parts["torso"], 45, 4, 8, PETECHIA)
    scatter(d, rng, parts["arm_r"], 10, 4, 7, PETECHIA)
    scatter(d, rng, parts["arm_l"], 10, 4, 7, PETECHIA)
    for leg in ("leg_r", "leg_l"):
        ys = [y for _, y in parts[leg]]
        mid = (min(ys) + max(ys)) / 2
        blotch(img, parts[leg], rng, PURPURA, 26, 14, 30, band=(min(ys), mid))
        blotch(img, parts[leg], rng, PURPURA, 45, 14, 30, band=(mid, max(ys)))
    for foot in ("foot_r", "foot_l"):
        blotch(img, parts[foot], rng, PURPURA, 14, 10, 18, blur=3)
    (hx0, hy0), (hx1, hy1) = parts["hand_l"]
    hand = [(hx0 + (hx1 - hx0) / 2 * (1 + math.cos(t / 20 * 2 * math.pi)),
             hy0 + (hy1 - hy0) / 2 * (1 + math.sin(t / 20 * 2 * math.pi))) for t in range(20)]
    blotch(img, hand, rng, PURPURA, 8, 8, 14, band=(hy0 + (hy1 - hy0) * 0.55, hy1), blur=3)
    d = ImageDraw.Draw(img)
    draw_body_outline_only(d, parts)
    side_markers(d)
    caption(d, "Anterior, 6 hours after arrival",
            [(PETECHIA, "Petechiae"), (PURPURA, "Confluent purpura (purpura fulminans)")])
    return img


def draw_body_outline_only(draw: ImageDraw.ImageDraw, parts: dict) -> None:
    for name, shape in parts.items():
        if name in ("head", "hand_r", "hand_l"):
            draw.ellipse(shape, outline=OUTLINE, width=4)
        else:
            draw.polygon(shape, outline=OUTLINE, width=4)


def panel_c() -> Image.Image:
    """Day 8: the left leg from behind (calf necrosis) and the left foot from above (toes)."""
    img = new_canvas()
    d = ImageDraw.Draw(img)
    s = 1.15

    def p(x: float, y: float, cx: float = 330, top: float = 170) -> tuple[float, float]:
        return (cx + x * s, top + y * s)

    leg = [p(-95, 0), p(95, 0), p(85, 420), p(55, 880), p(-55, 880), p(-85, 420)]
    heel = [p(-55, 875), p(55, 875), p(60, 930), p(-60, 930)]
    for shape in (leg, heel):
        d.polygon(shape, fill=SKIN, outline=OUTLINE, width=4)
    rng = random.Random(3)
    faded = (196, 150, 160)
    blotch(img, leg, rng, faded, 28, 12, 24, band=(p(0, 30)[1], p(0, 330)[1]))
    d = ImageDraw.Draw(img)
    # Full-thickness necrosis of the posterior calf, about 6 x 4 cm, with a red rim.
    calf = (p(-50, 470), p(40, 640))
    d.ellipse((calf[0][0] - 10, calf[0][1] - 10, calf[1][0] + 10, calf[1][1] + 10), fill=RIM)
    d.ellipse(calf, fill=NECROSIS)
    for shape in (leg, heel):
        d.polygon(shape, outline=OUTLINE, width=4)
    d.text(p(0, -45), "Left leg, posterior", fill=LABEL, font=font(32), anchor="mm")

    # The left foot from above: the big toe medial (viewer's right), the fifth toe lateral.
    def q(x: float, y: float) -> tuple[float, float]:
        return p(x, y, cx=860, top=420)

    sole = [q(-120, 120), q(115, 120), q(125, 420), q(90, 620), q(-70, 620), q(-110, 420)]
    d.polygon(sole, fill=SKIN, outline=OUTLINE, width=4)
    toes = [(85, 40, 42), (30, 28, 32), (-20, 25, 28), (-62, 30, 25), (-98, 45, 21)]
    for number, (x, y, r) in zip((1, 2, 3, 4, 5), toes):
        box = (q(x - r, y - r * 1.4), q(x + r, y + r * 1.4 + 60))
        d.rounded_rectangle((box[0][0], box[0][1], box[1][0], box[1][1]), radius=int(r * s),
                            fill=SKIN, outline=OUTLINE, width=4)
        if number in (4, 5):
            tip = (q(x - r + 3, y - r * 1.4 + 3), q(x + r - 3, y + r * 0.4))
            d.rounded_rectangle((tip[0][0] - 6, tip[0][1] - 6, tip[1][0] + 6, tip[1][1] + 6),
                                radius=int(r * s), fill=RIM)
            d.rounded_rectangle((tip[0][0], tip[0][1], tip[1][0], tip[1][1]), radius=int(r * s),
                                fill=NECROSIS)
    d.polygon(sole, outline=OUTLINE, width=4)
    blotch(img, sole, rng, faded, 10, 10, 20, band=(q(0, 350)[1], q(0, 600)[1]), blur=4)
    d = ImageDraw.Draw(img)
    d.text(q(0, -70), "Left foot, dorsal", fill=LABEL, font=font(32), anchor="mm")
    d.text(q(-98, -30), "5", fill=LABEL, font=font(28), anchor="mm")
    d.text(q(85, -40), "1", fill=LABEL, font=font(28), anchor="mm")
    caption(d, "Day 8: demarcation",
            [(NECROSIS, "Full-thickness necrosis"), (faded, "Healing partial-thickness purpura")])
    return img


def panel_d() -> Image.Image:
    """A schematic anteroposterior chest radiograph after intubation."""
    img = new_canvas((12, 12, 12))
    d = ImageDraw.Draw(img)
    cx = W // 2
    # Soft tissues and thorax.
    d.rounded_rectangle((170, 200, 1030, 1250), radius=260, fill=(70, 70, 70))
    # Lungs.
    lung_r = [(cx - 40, 300), (cx - 230, 330), (cx - 330, 520), (cx - 360, 900), (cx - 330, 1080),
              (cx - 60, 1010)]
    lung_l = [(cx + 40, 300), (cx + 230, 330), (cx + 330, 520), (cx + 360, 900), (cx + 330, 1080),
              (cx + 160, 1040), (cx + 60, 900)]
    d.polygon(lung_r, fill=(28, 28, 28))
    d.polygon(lung_l, fill=(28, 28, 28))
    # Perihilar interstitial haze (pulmonary oedema), softened.
    haze = Image.new("RGBA", img.size, (0, 0, 0, 0))
    hd = ImageDraw.Draw(haze)
    rng = random.Random(4)
    for side in (-1, 1):
        for _ in range(160):
            ang = rng.uniform(0, 2 * math.pi)
            r = rng.uniform(0, 170)
            x = cx + side * 170 + r * math.cos(ang)
            y = 620 + 1.2 * r * math.sin(ang)
            hd.ellipse((x - 9, y - 9, x + 9, y + 9), fill=(150, 150, 150, 70))
    haze = haze.filter(ImageFilter.GaussianBlur(10))
    img.alpha_composite(haze)
    d = ImageDraw.Draw(img)
    # Ribs.
    for k in range(8):
        y = 360 + k * 85
        for side in (-1, 1):
            box = (cx + side * 20 - 360 if side < 0 else cx - 20, y - 60,
                   cx + 20 if side < 0 else cx + 360 - 20, y + 60)
            start, end = (200, 340) if side < 0 else (200, 340)
            d.arc(box, start=180 if side < 0 else 270, end=300 if side < 0 else 360,
                  fill=(120, 120, 120), width=10)
    # Spine and heart (normal size).
    d.rectangle((cx - 28, 220, cx + 28, 1240), fill=(105, 105, 105))
    d.ellipse((cx - 120, 730, cx + 235, 1030), fill=(150, 150, 150))
    # Diaphragm.
    d.arc((cx - 380, 980, cx, 1160), start=180, end=360, fill=(170, 170, 170), width=12)
    d.arc((cx, 1010, cx + 380, 1190), start=180, end=360, fill=(170, 170, 170), width=12)
    # Endotracheal tube (tip above the carina) and nasogastric tube into the stomach.
    d.line((cx - 6, 120, cx - 6, 470), fill=(245, 245, 245), width=12)
    d.line((cx + 40, 120, cx + 40, 700), fill=(230, 230, 230), width=7)
    d.line((cx + 40, 700, cx + 150, 1180), fill=(230, 230, 230), width=7)
    d.line((cx + 150, 1180, cx + 230, 1230), fill=(230, 230, 230), width=7)
    # Carina.
    d.line((cx, 520, cx - 90, 640), fill=(60, 60, 60), width=14)
    d.line((cx, 520, cx + 90, 640), fill=(60, 60, 60), width=14)
    d.text((100, 160), "R", fill=(235, 235, 235), font=font(56, bold=True), anchor="mm")
    ink = (235, 235, 235)
    d.text((60, 40), "Chest, AP, 2 hours after arrival", fill=ink, font=font(44, bold=True))
    d.text((60, 1300), "Endotracheal tube tip above the carina", fill=ink, font=font(30))
    d.text((60, 1345), "Nasogastric tube in the stomach", fill=ink, font=font(30))
    d.text((60, 1390), "Perihilar haze; normal heart size", fill=ink, font=font(30))
    d.text((W - 60, H - 40), "Illustration", fill=(170, 170, 170), font=font(26), anchor="rs")
    return img


def save(img: Image.Image, name: str) -> None:
    # RGB, no info dictionary: Pillow then writes no tEXt/iTXt/pHYs/eXIf chunks.
    img.convert("RGB").save(HERE / name, format="PNG", optimize=True)


if __name__ == "__main__":
    save(panel_a(), "panel-a-purpura-arrival.png")
    save(panel_b(), "panel-b-purpura-6h.png")
    save(panel_c(), "panel-c-necrosis-day8.png")
    save(panel_d(), "panel-d-chest-radiograph.png")
