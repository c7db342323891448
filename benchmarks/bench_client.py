"""One HTTP request, answered as one JSON line: `{"status": 200, "seconds": 0.01, "body": "..."}`.

    python benchmarks/bench_client.py URL [--body FILE] [--timeout S] [--content-type TYPE]

GET without `--body`, POST of the file (Content-Type: application/json unless told) with it; a connection error is
`{"status": null, "error": "..."}`. Standard library only: run.py runs it inside the reference server's
network namespace (through nsenter) as well as directly, so both servers are reached the same way.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
from urllib.parse import urlsplit


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--body")
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--content-type", default="application/json")
    args = parser.parse_args()
    url = urlsplit(args.url)
    body = open(args.body, "rb").read() if args.body else None
    start = time.perf_counter()
    try:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=args.timeout)
        headers = {"Content-Type": args.content_type} if body is not None else {}
        conn.request("POST" if body is not None else "GET", url.path or "/", body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        conn.close()
    except OSError as exc:
        print(json.dumps({"status": None, "error": f"{type(exc).__name__}: {exc}"}))
        return 0
    print(json.dumps({"status": response.status, "seconds": time.perf_counter() - start, "body": text}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
