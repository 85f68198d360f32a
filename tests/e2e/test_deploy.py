"""Scale-out without Docker: deploy/nginx.conf.template, as compose runs it, in front of two local replicas.

Debian's nginx runs the same template (the upstream lines and the port filled in as the nginx image
does) under a temporary prefix, unprivileged-friendly (`load.Nginx`). Virtual users go through it on Streamlit's own
protocol; nginx's access log says which replica served each request of each route cookie.
"""

from __future__ import annotations

import re
import shutil
import time
from collections import defaultdict

import pytest

from tests.e2e import load
from tests.e2e.conftest import _require

pytestmark = pytest.mark.e2e

LOG_LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) route=(?P<route>\S+) upstream=(?P<upstream>\S+)')
USERS = 10  # hashed over two replicas, all ten land on one of them once in 500 runs; the test then says so


@pytest.fixture(scope="module")
def replicas():
    servers = [load.ReadmeServer(), load.ReadmeServer()]
    try:
        for server in servers:
            server.start(timeout=300)
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def nginx(replicas, tmp_path_factory):
    _require(shutil.which(load.NGINX) is not None, f"{load.NGINX} is missing: apt-get install nginx")
    proxy = load.Nginx([f"127.0.0.1:{s.port}" for s in replicas], tmp_path_factory.mktemp("nginx")).start()
    yield proxy.url, proxy.access_log
    proxy.stop()


def test_load_through_nginx_keeps_every_session_on_one_replica(replicas, nginx):
    url, access_log = nginx
    samples, _ = load.run_load(url, USERS, rounds=3)  # three views each

    errors = [f"{s.view}: {s.error}" for s in samples if s.error]
    assert not errors, errors
    assert len(samples) >= 3 * USERS
    assert all(s.cookies.get("fmnist_route") for s in samples), "nginx handed out no route cookie"

    time.sleep(0.5)  # nginx writes a websocket's line when it closes
    served: dict[str, set[str]] = defaultdict(set)
    kinds: dict[str, set[str]] = defaultdict(set)
    for line in access_log.read_text().splitlines():
        match = LOG_LINE.search(line)
        if match and match["path"] != "/_stcore/health":
            served[match["route"]].add(match["upstream"])
            path = match["path"]
            kinds[match["route"]].add("websocket" if path.startswith("/_stcore/stream") else "media" if path.startswith("/media/") else "page")

    routes = {s.cookies["fmnist_route"] for s in samples}
    assert len(routes) == USERS, "each virtual user keeps one route cookie"
    with_media = {s.cookies["fmnist_route"] for s in samples if s.media}  # (Browse's tiles are inline, not media)
    assert with_media, "no view referred to a media file"
    for route in routes:
        expected = {"page", "websocket", "media"} if route in with_media else {"page", "websocket"}
        assert expected <= kinds[route], f"route {route}: only {kinds[route]} in the access log"
        assert len(served[route]) == 1, f"route {route} was served by {served[route]}"
    replicas_used = {upstream for route in routes for upstream in served[route]}
    assert replicas_used == {f"127.0.0.1:{s.port}" for s in replicas}, "both replicas should get sessions"
