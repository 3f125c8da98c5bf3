"""The README pictures: choosing shots, cropping, shrinking, and what happens when a shot is missing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tools import screenshots as sc

ROOT = Path(__file__).resolve().parent.parent


def fake_shot(path: Path, size=(2560, 1600), rect=(400, 300, 1600, 900), colour=(0, 114, 178)) -> Path:
    """A white 'screenshot' with one coloured block (the thing worth showing) at `rect` in device px."""
    im = Image.new("RGB", size, "white")
    ImageDraw.Draw(im).rectangle(rect, fill=colour)
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path)
    return path


# --- choose --------------------------------------------------------------------------------------------


def test_choose_splits_found_and_missing_shots(tmp_path):
    picks = [sc.Pick("a.png", "A.png", "A", "a"), sc.Pick("b.png", "B.png", "B", "b")]
    fake_shot(tmp_path / "a.png", size=(10, 10), rect=(1, 1, 2, 2))
    found, missing = sc.choose(tmp_path, picks)
    assert found == [(picks[0], tmp_path / "a.png")]
    assert missing == [picks[1]]


def test_the_readme_shows_exactly_the_pictures_the_script_makes():
    """Every picture the README shows is made by the script and stored; no pick is made for nothing."""
    readme = (sc.ROOT / "README.md").read_text()
    shown = set(re.findall(r"\]\(notebooks/images/([^)]+\.png)\)", readme))
    assert shown == {p.image for p in sc.PICKS}
    assert all((sc.ROOT / "notebooks" / "images" / name).exists() for name in shown)
    assert len({p.image for p in sc.PICKS}) == len(sc.PICKS), "two picks would overwrite one image"


# --- crop_box --------------------------------------------------------------------------------------------


def test_crop_box_scales_css_pixels_and_pads():
    box = {"x": 100, "y": 50, "width": 200, "height": 100, "scale": 2}
    assert sc.crop_box(box, (2560, 1600), pad=10) == (180, 80, 620, 320)


def test_crop_box_is_clamped_to_the_image():
    box = {"x": -30, "y": 700, "width": 2000, "height": 400, "scale": 1}
    assert sc.crop_box(box, (1280, 800), pad=0) == (0, 700, 1280, 800)


def test_no_box_means_the_whole_image():
    assert sc.crop_box(None, (640, 480)) == (0, 0, 640, 480)


@pytest.mark.parametrize(
    "box, pad, match",
    [
        ({"x": 0, "y": 0, "width": 10}, 0, "height"),
        ({"x": 0, "y": 0, "width": 0, "height": 5}, 0, "width and height"),
        ({"x": 0, "y": 0, "width": 5, "height": 5, "scale": 0}, 0, "scale"),
        ({"x": 5000, "y": 0, "width": 5, "height": 5}, 0, "outside"),
        ({"x": 0, "y": 0, "width": 5, "height": 5}, -1, "pad"),
    ],
)
def test_bad_crop_boxes_are_refused(box, pad, match):
    with pytest.raises(ValueError, match=match):
        sc.crop_box(box, (100, 100), pad=pad)


# --- fit_width -------------------------------------------------------------------------------------------


def test_fit_width_shrinks_keeping_the_aspect_ratio():
    assert sc.fit_width((2000, 1000), 1000) == (1000, 500)
    assert sc.fit_width((2555, 1001), 1000) == (1000, 392)


def test_fit_width_never_enlarges():
    assert sc.fit_width((640, 480), 1000) == (640, 480)


@pytest.mark.parametrize("width", [0, 15, 5000, 1000.0, "1000", None])
def test_bad_widths_are_refused(width):
    with pytest.raises(ValueError, match="width"):
        sc.fit_width((100, 100), width)


# --- content_box and optimise ------------------------------------------------------------------------------


def test_content_box_finds_the_non_white_block():
    im = Image.new("RGB", (100, 80), "white")
    ImageDraw.Draw(im).rectangle((10, 20, 29, 39), fill="black")
    assert sc.content_box(im) == (10, 20, 30, 40)
    assert sc.content_box(Image.new("RGB", (5, 5), "white")) is None


def test_content_box_ignores_near_white_noise():
    im = Image.new("RGB", (50, 50), "white")
    im.putpixel((3, 3), (250, 250, 250))
    assert sc.content_box(im, tolerance=12) is None
    assert sc.content_box(im, tolerance=2) == (3, 3, 4, 4)


def test_optimise_crops_to_the_block_shrinks_and_adds_a_margin(tmp_path):
    src = fake_shot(tmp_path / "shot.png", rect=(400, 300, 2399, 999))  # a 2000 x 700 block
    box = {"x": 150, "y": 100, "width": 1100, "height": 450, "scale": 2}  # around it, in CSS px
    dest = sc.optimise(src, tmp_path / "out" / "pic.png", width=1000, box=box, margin=12)
    with Image.open(dest) as im:
        assert im.mode == "P", "stored as a palette PNG"
        assert im.size == (1000, 12 + 342 + 12)  # 2000x700 -> 976x342, plus the margin
        rgb = im.convert("RGB")
        assert rgb.getpixel((0, 0)) == (255, 255, 255)
        assert rgb.getpixel((500, 180)) == (0, 114, 178)
    assert dest.stat().st_size < 10_000


def test_optimise_keeps_a_small_shot_at_its_size(tmp_path):
    src = fake_shot(tmp_path / "small.png", size=(300, 200), rect=(50, 50, 149, 99))
    with Image.open(sc.optimise(src, tmp_path / "small_out.png", width=1000, margin=0)) as im:
        assert im.size == (100, 50)


@pytest.mark.parametrize(
    "kwargs, match", [({"colours": 1}, "colours"), ({"margin": -1}, "margin"), ({"width": 30, "margin": 12}, "width")]
)
def test_optimise_refuses_bad_settings(tmp_path, kwargs, match):
    src = fake_shot(tmp_path / "s.png", size=(100, 100), rect=(10, 10, 20, 20))
    with pytest.raises(ValueError, match=match):
        sc.optimise(src, tmp_path / "o.png", **kwargs)


# --- publish: crops from the capture, missing shots ---------------------------------------------------------


def test_publish_uses_recorded_crops_and_warns_about_a_missing_shot(tmp_path):
    shots, out = tmp_path / "shots", tmp_path / "images"
    picks = [
        sc.Pick("here.png", "here_small.png", "Here", "it is"),
        sc.Pick("gone.png", "gone_small.png", "Gone", "it is not"),
    ]
    fake_shot(shots / "here.png", rect=(400, 300, 1599, 899))
    fake_shot(shots / "noise.png", rect=(0, 0, 10, 10))  # not picked: ignored
    (shots / sc.CROPS).write_text(
        json.dumps({"here.png": {"x": 190, "y": 140, "width": 620, "height": 320, "scale": 2}})
    )
    out.mkdir()
    (out / "gone_small.png").write_bytes(b"old image")
    with pytest.warns(UserWarning, match=r"no shot gone\.png .*gone_small\.png not updated"):
        written = sc.publish(shots, out, picks, width=500)
    assert written == [out / "here_small.png"]
    with Image.open(written[0]) as im:
        assert im.size == (500, 12 + 238 + 12)  # the 1200x600 block, shrunk to 476 wide
    assert (out / "gone_small.png").read_bytes() == b"old image", "a missing shot keeps the old image"
    assert not (out / "noise.png").exists()


def test_publish_stores_each_pick_with_its_own_palette_size(tmp_path):
    shots, out = tmp_path / "shots", tmp_path / "images"
    shot = fake_shot(shots / "grey.png")
    with Image.open(shot) as im:  # a smooth grey ramp inside the block: far more than 4 colours
        draw = ImageDraw.Draw(im)
        for x in range(400, 1600):
            draw.line([(x, 300), (x, 900)], fill=(x % 256,) * 3)
        im.save(shot)
    picks = [
        sc.Pick("grey.png", "few.png", "Few", "few colours", colours=4),
        sc.Pick("grey.png", "many.png", "Many", "the default"),
    ]
    few, many = sc.publish(shots, out, picks, width=500)
    with Image.open(few) as a, Image.open(many) as b:
        assert len(a.getcolors(256)) <= 4 < len(b.getcolors(256))


def test_publish_with_no_shots_writes_nothing_and_warns_for_each(tmp_path):
    with pytest.warns(UserWarning) as record:
        assert sc.publish(tmp_path, tmp_path / "out", sc.PICKS) == []
    assert len(record) == len(sc.PICKS)
    assert not (tmp_path / "out").exists()


def test_main_from_an_empty_folder_fails(tmp_path, capsys):
    with pytest.warns(UserWarning):
        assert sc.main(["--from", str(tmp_path), "--out", str(tmp_path / "out")]) == 1


def test_main_refuses_a_bad_width_before_doing_anything(tmp_path):
    with pytest.raises(ValueError, match="width"):
        sc.main(["--from", str(tmp_path), "--width", "5"])


def test_markdown_has_a_caption_and_an_image_per_pick():
    md = sc.markdown(sc.PICKS[:2])
    assert md.count("![") == 2 and sc.PICKS[0].caption in md and f"![{sc.PICKS[0].alt}](" in md
    assert f"(notebooks/images/{sc.PICKS[1].image})" in md


# --- the README shows them, and they are small ------------------------------------------------------------


def readme_images() -> list[str]:
    return re.findall(r"!\[[^\]]*\]\((notebooks/images/[^)]+\.png)\)", (ROOT / "README.md").read_text())


def test_readme_shows_the_picks_with_their_captions():
    assert sc.markdown() in (ROOT / "README.md").read_text(), (
        "README's 'What it looks like' must read as tools.screenshots.markdown() prints it"
    )


def test_main_prints_the_readme_section(capsys):
    assert sc.main(["--markdown"]) == 0
    assert capsys.readouterr().out.strip() == sc.markdown()


def test_readme_shows_three_or_four_pictures_that_exist_and_are_small():
    images = readme_images()
    assert 3 <= len(images) <= 4, images
    for rel in images:
        path = ROOT / rel
        assert path.is_file(), f"README shows {rel}, which does not exist (python -m tools.screenshots)"
        assert path.stat().st_size < 150_000, f"{rel} is {path.stat().st_size // 1024} KB; keep README images small"
        with Image.open(path) as im:
            assert im.width <= 1000, f"{rel} is {im.width} px wide"
