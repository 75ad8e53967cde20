"""Server time of the admin's catalogue pages on a seeded database (a benchmark, not a test).

    opencentra seed demo --database URL --products 100000 --json > seed.json
    python -m tests.api.admin.bench_catalogue URL seed.json

Logs in as the demo seed's admin and times each page (median of several
GETs, in process, through the whole app): the first and the last page of the
list, searches (a common and a rare part of a name, an exact product number)
and a product's page. Prints one line a page.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from pathlib import Path

from starlette.testclient import TestClient

from opencentra.app import create_app
from opencentra.config import Settings

ROUNDS = 7


def main(database_url: str, seed_file: str) -> None:
    seed = json.loads(Path(seed_file).read_text())
    username, password = seed["admin"]["username"], seed["admin"]["password"]
    app = create_app(Settings(database_url=database_url))
    with TestClient(app, base_url="http://testserver") as client:
        login = client.get("/ams/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert token
        answer = client.post(
            "/ams/login",
            data={"username": username, "password": password, "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        home = client.get("/ams/").text
        stores = re.findall(r"/ams/stores/(\d+)/orders", home) or re.findall(r"/ams/system/stores/(\d+)", home)
        store = stores[0] if stores else "1"
        base = f"/ams/stores/{store}/products"
        first = client.get(base).text
        ids = [int(i) for i in re.findall(rf"{base}/(\d+)\"", first)]
        numbers = re.findall(r"<td>([^<]+)</td><td>(?:active|inactive)</td>", first)
        pages = {
            "list, first page": base,
            "list, page after id 99,900": f"{base}?after=99900",
            "search, common (a letter)": f"{base}?q=a",
            "search, one product near the end (by name)": f"{base}?q=%2099998",
            "search, rare (no match)": f"{base}?q=zzqq-no-such-name",
            "search, exact product number": f"{base}?q={numbers[0] if numbers else 'x'}",
            "product page": f"{base}/{ids[0]}",
        }
        for name, path in pages.items():
            timings = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                answer = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
            print(f"{name:48} {statistics.median(timings):7.1f} ms median, {min(timings):7.1f} ms best  {path}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
