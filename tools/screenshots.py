"""Make the README's pictures: run notebooks in JupyterLab, screenshot what matters, store small PNGs.

Run from the course folder (it drives JupyterLab with the browser tests' code in harness/lab.py):

    python -m tools.screenshots                     # capture, then write notebooks/images/*.png
    python -m tools.screenshots --from tests/screenshots   # only crop/resize shots you already have

Capturing needs Chromium and playwright (tests/requirements.txt). A shot that could not be made
(a notebook failed, a link was broken) is skipped with a warning; its old image, if any, is kept.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "notebooks" / "images"
CROPS = "crops.json"  # next to the shots: {shot file: {"x", "y", "width", "height", "scale"}} in CSS px
VIEWPORT = {"width": 1280, "height": 800}
SCALE = 2  # device pixels per CSS pixel: shots are taken sharp, then shrunk to `width`


@dataclass(frozen=True)
class Pick:
    """One README picture: which shot it comes from, the file it becomes, its alt text and caption."""

    shot: str
    image: str
    alt: str
    caption: str
    colours: int = 256  # palette size of the stored PNG; a page of text and grey sliders needs far fewer


PICKS: tuple[Pick, ...] = (
    Pick(
        "02_sim_widget_playing.png",
        "02_simulation_widget.png",
        "Notebook 02: the simulation widget",
        "The simulation widget in notebook 02, mid-animation: one blocked WSGI worker above an event loop, "
        "the same requests.",
    ),
    Pick(
        "02_measured_vs_model.png",
        "02_measured_vs_model.png",
        "Notebook 02: measured requests over the model",
        "Notebook 02 again: each request measured on a real server (green) over the model's prediction (pink).",
    ),
    Pick(
        "01_django_admin.png",
        "01_django_admin.png",
        "Notebook 01: the Django admin",
        "The Django admin of notebook 01's bookshelf, served from the kernel and opened from a link in the notebook.",
    ),
    Pick(
        "09_decision_widget.png",
        "09_decision_widget.png",
        "Notebook 09: the decision helper",
        "The decision helper in notebook 09: move a need or a weight and the pick and its reasons change.",
        colours=32,
    ),  # the whole widget is tall: 256 colours made it 169 KB, 32 look the same at 120 KB
)


# --- pure parts: choose, crop, resize ----------------------------------------------------------------


def choose(shots: Path, picks: Iterable[Pick] = PICKS) -> tuple[list[tuple[Pick, Path]], list[Pick]]:
    """Split `picks` into those whose shot exists in `shots` (with its path) and those missing."""
    found, missing = [], []
    for pick in picks:
        path = Path(shots) / pick.shot
        (found.append((pick, path)) if path.is_file() else missing.append(pick))
    return found, missing


def crop_box(box: dict[str, float] | None, image_size: tuple[int, int], pad: int = 12) -> tuple[int, int, int, int]:
    """Return the (left, top, right, bottom) pixel box of `box` (CSS px, with its scale) padded and inside the image."""
    w, h = image_size
    if not (isinstance(pad, int) and pad >= 0):
        raise ValueError(f"pad must be an int >= 0 (CSS px), got {pad!r}")
    if box is None:
        return (0, 0, w, h)
    missing = {"x", "y", "width", "height"} - set(box)
    if missing:
        raise ValueError(f"box must have x, y, width and height; missing {sorted(missing)}")
    scale = box.get("scale", 1)
    if not (isinstance(scale, (int, float)) and scale > 0):
        raise ValueError(f"box scale must be a number > 0, got {scale!r}")
    if box["width"] <= 0 or box["height"] <= 0:
        raise ValueError(f"box width and height must be > 0, got {box['width']} x {box['height']}")
    left = max(0, round((box["x"] - pad) * scale))
    top = max(0, round((box["y"] - pad) * scale))
    right = min(w, round((box["x"] + box["width"] + pad) * scale))
    bottom = min(h, round((box["y"] + box["height"] + pad) * scale))
    if right <= left or bottom <= top:
        raise ValueError(f"box {box} lies outside the {w}x{h} image")
    return (left, top, right, bottom)


def fit_width(size: tuple[int, int], width: int) -> tuple[int, int]:
    """Return `size` shrunk to at most `width` pixels wide, keeping its aspect ratio (never enlarged)."""
    if not (isinstance(width, int) and 16 <= width <= 4000):
        raise ValueError(f"width must be an int in 16..4000 pixels, got {width!r}")
    w, h = size
    if w <= width:
        return (w, h)
    return (width, max(1, round(h * width / w)))


def content_box(
    image: Any, background: tuple[int, int, int] = (255, 255, 255), tolerance: int = 12
) -> tuple[int, int, int, int] | None:
    """Return the box around everything in `image` that is not `background` (None if it is all background)."""
    from PIL import Image, ImageChops

    if not (isinstance(tolerance, int) and 0 <= tolerance <= 255):
        raise ValueError(f"tolerance must be an int in 0..255, got {tolerance!r}")
    rgb = image.convert("RGB")
    diff = ImageChops.difference(rgb, Image.new("RGB", rgb.size, background)).convert("L")
    return diff.point(lambda v: 255 if v > tolerance else 0).getbbox()


def optimise(
    src: Path, dest: Path, width: int = 1000, box: dict[str, float] | None = None, colours: int = 256, margin: int = 12
) -> Path:
    """Crop `src` to `box` and to its content, shrink it to `width`, add a white margin, store a palette PNG."""
    from PIL import Image, ImageOps

    if not (isinstance(colours, int) and 2 <= colours <= 256):
        raise ValueError(f"colours must be an int in 2..256, got {colours!r}")
    if not (isinstance(margin, int) and 0 <= margin <= 200):
        raise ValueError(f"margin must be an int in 0..200 pixels, got {margin!r}")
    with Image.open(src) as im:
        im = im.convert("RGB")
        im = im.crop(crop_box(box, im.size, pad=0))
        inside = content_box(im)
        if inside:
            im = im.crop(inside)
        if not (isinstance(width, int) and width >= 2 * margin + 16):
            raise ValueError(
                f"width must be an int >= {2 * margin + 16} pixels (margin {margin} each side), got {width!r}"
            )
        size = fit_width(im.size, width - 2 * margin)
        if size != im.size:
            im = im.resize(size, Image.Resampling.LANCZOS)
        im = ImageOps.expand(im, border=margin, fill=(255, 255, 255))
        im = im.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        dest.parent.mkdir(parents=True, exist_ok=True)
        im.save(dest, optimize=True)
    return dest


def read_crops(shots: Path) -> dict[str, dict[str, float]]:
    """Return the crop boxes recorded next to the shots (none if the shots came from elsewhere)."""
    path = Path(shots) / CROPS
    return json.loads(path.read_text()) if path.is_file() else {}


def publish(shots: Path, out: Path = IMAGES, picks: Sequence[Pick] = PICKS, width: int = 1000) -> list[Path]:
    """Write the picked shots to `out` as small PNGs; warn about (and skip) each missing shot."""
    found, missing = choose(shots, picks)
    for pick in missing:
        warnings.warn(f"no shot {pick.shot} in {shots}: {out / pick.image} not updated", stacklevel=2)
    crops = read_crops(shots)
    return [
        optimise(path, Path(out) / pick.image, width, crops.get(pick.shot), colours=pick.colours)
        for pick, path in found
    ]


def markdown(picks: Sequence[Pick] = PICKS, folder: str = "notebooks/images") -> str:
    """Return the README lines that show `picks`: a caption line, then the image."""
    return "\n\n".join(f"{p.caption}\n\n![{p.alt}]({folder}/{p.image})" for p in picks)


# --- capturing in a browser (needs Chromium, playwright and harness/lab.py) ---------------------------


def _record(page: Any, shots: Path, name: str, element: Any = None, box: dict[str, float] | None = None) -> None:
    """Screenshot the whole viewport and remember where `element` (or `box`, CSS px) is, to crop to it later."""
    box = box or (element.bounding_box() if element is not None else None)
    page.screenshot(path=str(shots / name))
    crops = read_crops(shots)
    if box:
        crops[name] = {**{k: round(v, 1) for k, v in box.items()}, "scale": SCALE}
        (shots / CROPS).write_text(json.dumps(crops, indent=1))


def _centre(element: Any) -> None:
    """Grow the window to hold all of `element`, scroll it to the middle of the notebook, let the layout settle."""
    # A shot is cropped to the element, but only inside the window: a widget taller than the window
    # came out cut off, with JupyterLab's menus and status bar in the picture.
    page = element.page
    need = int(element.bounding_box()["height"]) + 200  # JupyterLab's menus, toolbar and status bar
    if need > page.viewport_size["height"]:
        page.set_viewport_size({"width": page.viewport_size["width"], "height": need})
    element.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(400)


def _hide_file_browser(page: Any) -> None:
    """Collapse JupyterLab's left sidebar so the notebook gets the width of the window."""
    tab = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    if tab.count():
        tab.first.click()
        page.wait_for_timeout(500)


def shoot_simulation(page: Any, lab: Any, shots: Path) -> None:
    """Press Play on the simulation widget and screenshot it mid-animation."""
    box = page.locator(".sim-widget").first
    _centre(box)
    label = box.locator(".sim-time").first
    before = label.inner_text()
    box.get_by_role("button", name="Play").first.click()
    page.wait_for_function(
        "(t) => document.querySelector('.sim-widget .sim-time').innerText !== t", arg=before, timeout=20_000
    )
    page.wait_for_timeout(1200)
    _record(page, shots, "02_sim_widget_playing.png", box)
    box.get_by_role("button", name="Pause").first.click()  # pause, so the next shot is still


def shoot_measured(page: Any, lab: Any, shots: Path) -> None:
    """Screenshot the measured-over-model plots (the cell that calls plot_measured)."""
    cell = page.locator(".jp-CodeCell").filter(has_text="plot_measured").first
    out = cell.locator(".jp-Cell-outputArea").first
    out.locator("img").first.wait_for(timeout=20_000)
    _centre(out)
    _record(page, shots, "02_measured_vs_model.png", out)


def shoot_decision(page: Any, lab: Any, shots: Path) -> None:
    """Screenshot the decision helper as it first appears."""
    box = page.locator(".decision-widget").first
    _centre(box)
    _record(page, shots, "09_decision_widget.png", box)


def _admin_book_list(tab: Any) -> None:
    """Log in to the Django admin open in `tab` (the notebook's superuser) and open the list of books."""
    tab.wait_for_load_state("load")
    tab.locator("input[name=username], #user-tools").first.wait_for(timeout=10_000)
    if tab.locator("input[name=username]").count():  # not logged in yet (cookies ignore the port)
        tab.fill("input[name=username]", "admin")
        tab.fill("input[name=password]", "course-admin")
        tab.click("input[type=submit], button[type=submit]")
        tab.wait_for_load_state("load")
    tab.locator("a[href$='/bookshelf/book/']").first.click()
    tab.wait_for_load_state("load")
    tab.locator("#result_list").wait_for(timeout=10_000)
    header = tab.evaluate("() => getComputedStyle(document.querySelector('#header')).backgroundColor")
    if header in ("", "transparent", "rgba(0, 0, 0, 0)"):
        raise RuntimeError(f"the admin's CSS did not load at {tab.url} (header background {header!r})")


def shoot_admin(page: Any, lab: Any, shots: Path) -> None:
    """Open the Django admin from notebook 01's link (through the proxy, else direct), log in, screenshot the books."""
    errors = []
    for route, selector in (
        ("proxy", 'a[href*="/proxy/"][href*="/admin/"]'),
        ("direct", 'a[href^="http://127.0.0.1"][href*="/admin/"]'),
    ):
        link = page.locator(selector).first
        if not link.count():
            errors.append(f"{route}: no link")
            continue
        link.scroll_into_view_if_needed(timeout=10_000)
        with page.context.expect_page() as new:
            link.click()
        tab = new.value
        try:
            _admin_book_list(tab)
            bottom = tab.evaluate("""() => Math.max(...['#changelist', '#changelist-filter', '#nav-sidebar .module']
                .flatMap(s => [...document.querySelectorAll(s)]).map(e => e.getBoundingClientRect().bottom))""")
            _record(
                tab,
                shots,
                "01_django_admin.png",
                box={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": min(bottom + 16, VIEWPORT["height"])},
            )
            print(f"Django admin: screenshot through the {route} link", flush=True)
            if errors:
                warnings.warn(f"Django admin screenshot taken through the {route} link; {errors}", stacklevel=2)
            return
        except Exception as exc:  # noqa: BLE001 - try the next route, report all at the end
            errors.append(f"{route} link {link.get_attribute('href')}: {str(exc).splitlines()[0][:160]}")
        finally:
            tab.close()
    raise RuntimeError("; ".join(errors))


STEPS: dict[str, tuple[str, Sequence[Callable[..., None]]]] = {
    "01": ("01_architecture.ipynb", (shoot_admin,)),
    "02": ("02_concurrency.ipynb", (shoot_simulation, shoot_measured)),
    "09": ("09_choosing.ipynb", (shoot_decision,)),
}


def capture(shots: Path, notebooks: Sequence[str] = tuple(STEPS)) -> list[str]:
    """Run each notebook in a fresh JupyterLab (blank copies) with Run All, take its shots; return what failed."""
    sys.path.insert(0, str(ROOT))
    from harness.chromium import launch_chromium, missing_chromium
    from harness.lab import blank_copy, open_notebook, run_all_from_menu, shutdown_kernels, start_lab, stop_lab

    reason = missing_chromium()
    if reason:  # said before the slow start of JupyterLab
        raise RuntimeError(reason)
    shots.mkdir(parents=True, exist_ok=True)
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="course-shots-") as tmp:
        work = Path(tmp)
        for nb in (ROOT / "notebooks").glob("*.ipynb"):
            blank_copy(nb, work / "root" / "notebooks" / nb.name)
        lab = start_lab(work, work / "root")
        try:
            with launch_chromium() as browser:
                for key in notebooks:
                    name, steps = STEPS[key]
                    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=SCALE)
                    page = context.new_page()
                    page.set_default_timeout(30_000)
                    for old in shots.glob(f"{key}_*.png"):
                        old.unlink()  # a shot that fails this time must not be published from last time
                    try:
                        t0 = time.monotonic()
                        open_notebook(page, lab, f"notebooks/{name}")
                        _hide_file_browser(page)
                        run_all_from_menu(page, timeout=180)
                        print(f"{name}: Run All took {time.monotonic() - t0:.0f} s", flush=True)
                        for step in steps:
                            try:
                                step(page, lab, shots)
                            except Exception as exc:  # noqa: BLE001 - one broken shot must not stop the rest
                                failed.append(f"{name} {step.__name__}: {str(exc).splitlines()[0][:300]}")
                    except Exception as exc:  # noqa: BLE001
                        failed.append(f"{name}: {str(exc).splitlines()[0][:300]}")
                    finally:
                        shutdown_kernels(lab)
                        context.close()
        finally:
            stop_lab(lab)
    for line in failed:
        warnings.warn(line, stacklevel=2)
    return failed


def main(argv: Sequence[str] | None = None) -> int:
    """Capture (unless --from is given) and publish the README pictures; return 1 if none was written."""
    ap = argparse.ArgumentParser(prog="python -m tools.screenshots", description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="source", type=Path, help="use the shots in this folder instead of capturing")
    ap.add_argument("--shots", type=Path, help="keep the captured shots in this folder (default: a temp dir)")
    ap.add_argument("--out", type=Path, default=IMAGES, help=f"where the PNGs go (default: {IMAGES.relative_to(ROOT)})")
    ap.add_argument("--width", type=int, default=1000, help="largest width in pixels (default: 1000)")
    ap.add_argument(
        "--notebooks",
        nargs="*",
        default=list(STEPS),
        choices=list(STEPS),
        help="which notebooks to capture (default: all)",
    )
    ap.add_argument("--markdown", action="store_true", help="only print the README section's lines and stop")
    args = ap.parse_args(argv)
    if args.markdown:
        print(markdown())
        return 0
    if not 100 <= args.width <= 4000:  # checked before the slow part
        raise ValueError(f"--width must be in 100..4000 pixels, got {args.width}")
    with tempfile.TemporaryDirectory(prefix="course-shots-") as tmp:
        shots = args.source or args.shots or Path(tmp)
        if not args.source:
            capture(shots, args.notebooks)
        written = publish(shots, args.out, PICKS, args.width)
    for path in written:
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
    return 0 if written else 1


if __name__ == "__main__":
    warnings.simplefilter("always", UserWarning)
    warnings.formatwarning = lambda msg, cat, *a, **k: f"warning: {msg}\n"
    sys.exit(main())
