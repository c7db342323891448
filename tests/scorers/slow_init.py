import time


def init():
    time.sleep(30)


def run(raw):
    return raw
