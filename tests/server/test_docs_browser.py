"""`/docs` in a real browser: headless Chromium loads the page from a running gateway, opens the score
operation, sends the pre-filled example and reads a 200 with Results; a screenshot is saved."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

EXAMPLE = ROOT / "examples" / "automl_powerbi"
SCREENSHOT = Path(os.environ.get("GATEWAY_DOCS_SCREENSHOT", ""))


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        pytest.fail("the /docs browser test needs Debian's chromium and chromium-driver (apt-get install chromium "
                    "chromium-driver); .ci/run installs them", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,1800"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    import subprocess
    import sys

    target = tmp_path_factory.mktemp("docs_model")
    subprocess.run([sys.executable, str(EXAMPLE / "train.py"), str(target)], check=True, capture_output=True)
    return target


def send_prefilled_example(browser, base: str, key: str | None = None) -> dict:
    wait = WebDriverWait(browser, 60)
    browser.get(base + "/docs")
    if key is not None:
        field = wait.until(ready.presence_of_element_located((By.ID, "gateway-key")))
        field.send_keys(key)
        browser.find_element(By.ID, "gateway-key-use").click()
    operation = wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, ".opblock-post .opblock-summary")))
    operation.click()
    body = wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, ".opblock-post textarea.body-param__text")))
    prefilled = json.loads(body.get_attribute("value"))
    wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, ".opblock-post .execute"))).click()
    status = wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, ".opblock-post .live-responses-table tr.response .response-col_status")))
    answer = browser.find_element(By.CSS_SELECTOR, ".opblock-post .live-responses-table tr.response .response-col_description pre")
    return {"prefilled": prefilled, "status": status.text.strip(), "body": answer.text}


def test_try_it_out_scores_the_prefilled_example(browser, gateway_process, model_dir, tmp_path):
    process = gateway_process("--scorer", f"churn={EXAMPLE / 'score.py'}", "--model-dir", str(model_dir))
    seen = send_prefilled_example(browser, process.base)
    assert seen["prefilled"]["Inputs"]["data"][0]["age"] == 1  # the contract's example, pre-filled
    assert seen["status"] == "200"
    assert json.loads(seen["body"])["Results"] in ([0], [1])
    shot = SCREENSHOT if SCREENSHOT.name else tmp_path / "docs.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_with_keys_the_key_field_authorizes_try_it_out(browser, gateway_process, model_dir):
    process = gateway_process(
        "--scorer", f"churn={EXAMPLE / 'score.py'}", "--model-dir", str(model_dir), "--api-key", "s3cret"
    )
    seen = send_prefilled_example(browser, process.base, key="s3cret")
    assert seen["status"] == "200"
    assert "Results" in json.loads(seen["body"])


def test_the_start_panel_has_the_function_for_this_address_and_calls_to_copy(browser, gateway_process, model_dir):
    process = gateway_process(
        "--scorer", f"churn={EXAMPLE / 'score.py'}", "--model-dir", str(model_dir), "--api-key", "s3cret"
    )
    wait = WebDriverWait(browser, 60)
    browser.get(process.base + "/docs")
    function = browser.find_element(By.ID, "gateway-pq-churn")
    wait.until(lambda _: "API key" in function.text)  # the function needs the key, and the page says so
    browser.find_element(By.ID, "gateway-key").send_keys("s3cret")
    browser.find_element(By.ID, "gateway-key-use").click()
    wait.until(lambda _: function.get_attribute("data-loaded") == "true")
    assert function.text.startswith(f'// Score_churn: scores a table with the scorer "churn" served at {process.base}/score')
    assert f'"{process.base}"' in function.text  # the base URL is the page's own address
    curl = browser.find_element(By.ID, "gateway-call-churn-curl").text
    assert curl.startswith(f"curl -X POST '{process.base}/score'") and "{{BASE_URL}}" not in curl
    rows = browser.find_elements(By.CSS_SELECTOR, ".gateway-columns tr")
    assert [r.find_elements(By.TAG_NAME, "td")[1].text for r in rows[1:]] == [
        "age", "income", "is_member", "city", "signup_date"]
    button = browser.find_element(By.CSS_SELECTOR, "button[data-target='gateway-pq-churn']")
    button.click()
    status = button.find_element(By.XPATH, "following-sibling::span[1]")
    wait.until(lambda _: status.text != "")
    assert status.text in ("Copied", "Select the text and copy it")
