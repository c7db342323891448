"""A scorer whose init() takes GATEWAY_TEST_INIT_SECONDS (a model that loads slowly), then answers its version."""

import os
import time

VERSION = None


def init():
    global VERSION
    time.sleep(float(os.environ.get("GATEWAY_TEST_INIT_SECONDS", "3")))
    VERSION = "loaded"


def run(raw):
    return {"model": VERSION}
