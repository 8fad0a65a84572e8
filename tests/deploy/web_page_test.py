"""The restoration page in a real browser: open an image, paint a stroke with the mouse, restore, compare.

Drives Debian's Chromium (`/usr/bin/chromium`, installed by `.ci/run`) with Playwright. Without the
browser the test fails and says how to install it. `GENREPAIR_SCREENSHOT=<png>` also saves the
screenshot there (docs/images/serve_page.png is made this way).
"""

import base64
import io
import os
import shutil
import threading

import numpy as np
import pytest
import waitress
from PIL import Image

from tf_genrepair.data import load_arrays
from tf_genrepair.deploy.web_server import create_app
from tf_genrepair.models import Restorer

BROWSER = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]  # No calls out of a closed network.


def _from_data_url(url: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("L"))


@pytest.fixture()
def server_url():
    app = create_app({"inpaint_mnist": Restorer.from_preset("inpaint_mnist")})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    yield f"http://127.0.0.1:{server.effective_port}/"
    server.close()


def test_a_painted_stroke_is_filled_and_everything_else_is_kept(server_url, tmp_path):
    if not os.path.exists(BROWSER):
        pytest.fail("Chromium is not installed: `apt-get install chromium` (Debian), as .ci/run does, then rerun.")
    from playwright.sync_api import sync_playwright

    digit = load_arrays("sample", split="test[:1]")[0][0, ..., 0]  # A digit shipped with the package, for the digit inpainter.
    pixels = np.round(digit * 255).astype(np.uint8)
    source = tmp_path / "digit.png"
    Image.fromarray(pixels).save(source)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=BROWSER, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1000, "height": 720})
        page.goto(server_url)
        page.wait_for_function("document.getElementById('model').options.length > 0")
        page.set_input_files("#file", str(source))
        page.wait_for_function("!document.getElementById('restore').disabled")
        page.eval_on_selector("#brush", "element => { element.value = 40; element.oninput(); }")
        box = page.locator("#stage").bounding_box()
        page.mouse.move(box["x"] + 0.15 * box["width"], box["y"] + 0.45 * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + 0.85 * box["width"], box["y"] + 0.55 * box["height"], steps=12)
        page.mouse.up()
        mask = _from_data_url(page.evaluate(
            "async () => { const blob = await maskBlob(); return await new Promise((done) => {"
            " const reader = new FileReader(); reader.onload = () => done(reader.result); reader.readAsDataURL(blob); }); }"
        ))
        page.click("#restore")
        page.wait_for_function("document.body.dataset.restored === 'yes'", timeout=60_000)
        restored = _from_data_url(page.evaluate("document.getElementById('after').toDataURL('image/png')"))
        page.eval_on_selector("#slider", "element => { element.value = 35; element.oninput(); }")
        page.screenshot(path=str(tmp_path / "page.png"))
        if os.environ.get("GENREPAIR_SCREENSHOT"):
            page.screenshot(path=os.environ["GENREPAIR_SCREENSHOT"])
        assert "Restored with inpaint_mnist" in page.text_content("#status")
        browser.close()
    painted = mask >= 128
    assert 0.03 < painted.mean() < 0.5  # The stroke reached the mask.
    np.testing.assert_array_equal(restored[~painted], pixels[~painted])  # Kept outside the painted mask ...
    assert np.abs(restored[painted].astype(int) - pixels[painted]).mean() > 5  # ... and filled in inside it.
