#!/usr/bin/env python3
"""Drives a real headless Chromium through Portico's editor, as a new editor would.

Log in, create a page in a folder, upload an image, submit, publish, log out, and check
that an anonymous visitor sees the page and the image. Run by BrowserEndToEndTests with a
running `portico serve`; exits non-zero with the failing step on error.

usage: editor_flow.py BASE_URL USERNAME PASSWORD SCREENSHOT_DIR
"""
import os
import struct
import sys
import tempfile
import zlib

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

base, username, password, shots = sys.argv[1:5]
os.makedirs(shots, exist_ok=True)


def png(width, height):
    raw = b"".join(b"\x00" + b"".join(bytes([(x * 5) % 256, (y * 7) % 256, 160]) for x in range(width)) for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


options = webdriver.ChromeOptions()
options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"]:
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
driver.set_page_load_timeout(30)
# Clicks return before the next page has loaded: let look-ups wait for their element.
driver.implicitly_wait(10)
step = "start"


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def wait_for(text, message):
    """Waits until the page shows `text` (a click returns before the next page has loaded)."""
    try:
        WebDriverWait(driver, 15).until(lambda d: text in d.page_source)
    except Exception:
        raise AssertionError(message)


def shot(name):
    driver.save_screenshot(os.path.join(shots, name + ".png"))


try:
    step = "log in"
    driver.get(base + "/_login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    wait_for("Dashboard", "no dashboard after login")
    shot("1-dashboard")

    step = "create a page in the News folder"
    driver.get(base + "/_edit/contents/news")
    Select(driver.find_element(By.ID, "add-type")).select_by_value("page")
    driver.find_element(By.CSS_SELECTOR, "form.add-form button").click()
    driver.find_element(By.ID, "title").send_keys("Browser test page")
    driver.find_element(By.ID, "description").send_keys("Made by a real browser.")
    driver.find_element(By.ID, "body").send_keys("Hello from **Chromium**.")
    driver.find_element(By.CSS_SELECTOR, ".form-buttons button[type=submit]").click()
    wait_for("Created.", "no confirmation after creating the page")
    shot("2-page-created")

    step = "submit and publish the page"
    driver.find_element(By.CSS_SELECTOR, "form.workflow-form input[value=submit] ~ button").click()
    wait_for("Submitted for review.", "no confirmation after submitting")
    driver.find_element(By.CSS_SELECTOR, "form.workflow-form input[value=publish] ~ button").click()
    wait_for("Published.", "no confirmation after publishing")

    step = "upload an image"
    image = os.path.join(tempfile.mkdtemp(), "browser.png")
    with open(image, "wb") as handle:
        handle.write(png(40, 30))
    driver.get(base + "/_edit/add/news?type=image")
    driver.find_element(By.ID, "title").send_keys("Browser image")
    driver.find_element(By.ID, "file").send_keys(image)
    driver.find_element(By.CSS_SELECTOR, ".form-buttons button[type=submit]").click()
    wait_for("Created.", "no confirmation after uploading the image")
    driver.find_element(By.CSS_SELECTOR, "form.workflow-form input[value=publish] ~ button").click()
    wait_for("Published.", "no confirmation after publishing the image")
    shot("3-image-published")

    step = "log out"
    driver.get(base + "/news")
    driver.find_element(By.CSS_SELECTOR, ".editbar-logout button").click()
    WebDriverWait(driver, 15).until(lambda d: "Logged in as" not in d.page_source)

    step = "see the page and the image as an anonymous visitor"
    driver.delete_all_cookies()
    driver.get(base + "/news/browser-test-page")
    check("Browser test page" in driver.title, "the page is not visible to the public: " + driver.title)
    wait_for("Chromium", "the page body is missing")
    shot("4-public-page")
    driver.get(base + "/news/browser-image")
    picture = driver.find_element(By.CSS_SELECTOR, "figure img")
    loaded = driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", picture)
    check(loaded == 40, "the image did not load (naturalWidth %r)" % loaded)
    shot("5-public-image")
    print("browser flow passed")
except Exception as error:  # noqa: BLE001 - report the step and fail
    shot("failure")
    print("browser flow failed at step '%s': %s" % (step, error), file=sys.stderr)
    sys.exit(1)
finally:
    driver.quit()
