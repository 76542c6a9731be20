"""browser.py - headless Chromium for the web UI tests (webui_*.py):
starting a browser, waiting for elements, console errors, screenshots.

Importing it exits the test with 77 (skipped) when Chromium,
chromedriver or python3-selenium are missing (tools/install-deps.sh
installs them).  Screenshots go under $NTOPNG_TEST_LOGS/screens (or
build/test-logs/screens), one PNG per page, named by the caller.
"""
import os
import shutil
import sys
import time

from node import REPO, expect

# Debian's python3-selenium lives in dist-packages, which a python3 from
# pyenv or a venv does not search.
if os.path.isdir("/usr/lib/python3/dist-packages"):
    sys.path.append("/usr/lib/python3/dist-packages")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.common.exceptions import StaleElementReferenceException
except ImportError:
    print("SKIP: python3-selenium is not installed")
    sys.exit(77)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not CHROMIUM or not DRIVER:
    print("SKIP: chromium / chromedriver not installed")
    sys.exit(77)

SCREENS = os.path.join(os.environ.get("NTOPNG_TEST_LOGS") or
                       os.path.join(REPO, "build", "test-logs"), "screens")
os.makedirs(SCREENS, exist_ok=True)


def browser(profile):
    """A headless Chromium with its profile in `profile` (a directory the
    test owns), 1400x1000, no outside traffic of its own, console logged."""
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
              "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--window-size=1400,1000",
              "--user-data-dir=" + profile):
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=o)


def severe(d):
    """The console's SEVERE entries since the last call."""
    return [e for e in d.get_log("browser") if e.get("level") == "SEVERE"]


def wait_for(d, css, cond=None, timeout=15):
    """Waits until css matches and cond(elements) holds; returns them.
    A page that re-renders between the lookup and cond() (a table being
    refreshed) leaves stale elements behind: that is a retry, not a failure."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            els = d.find_elements(By.CSS_SELECTOR, css)
            if els and (cond is None or cond(els)):
                return els
        except StaleElementReferenceException:
            pass
        time.sleep(0.1)
    return []


def shot(d, name):
    d.save_screenshot(os.path.join(SCREENS, name + ".png"))


def page(d, base, path, name, css, cond=None, errors_ok=False):
    """Opens base+path, waits for css (and cond), saves screenshot `name`,
    and checks that something matched and the console has no error."""
    d.get(base + path)
    els = wait_for(d, css, cond)
    time.sleep(0.3)
    shot(d, name)
    logs = severe(d)
    expect(bool(els), "%s: %s shows %s" % (name, path, css))
    if not errors_ok:
        expect(not logs, "%s: no console error %s" % (name, [l["message"] for l in logs][:3]))
    return els


def login(d, base, user="admin", password="admin"):
    """Logs in through the login form; True when the form went away."""
    d.get(base + "/lua/login.lua")
    wait_for(d, "#user")
    d.find_element(By.ID, "user").send_keys(user)
    d.find_element(By.ID, "password").send_keys(password)
    d.find_element(By.ID, "login").click()
    end = time.monotonic() + 10
    while time.monotonic() < end and "/lua/login.lua" in d.current_url:
        time.sleep(0.1)
    return "/lua/login.lua" not in d.current_url
