"""A whole class at once, on Streamlit's own protocol: `python -m tests.e2e.load --users 30` prints a table.

Browsers would starve a 2-core server of CPU by rendering, so each virtual user speaks what a browser
speaks instead: GET the page and `/_stcore/health` (which set the cookies), open the websocket at
`/_stcore/stream`, send a `BackMsg` whose `rerun_script` carries the page name and query string, read `ForwardMsg`s until
`script_finished`, then GET every `/media/...` file the run referred to (images). A view is timed from
the GET to the last media file. After a Browse view the user stays in its session and changes the
"True class" filter, then the page, by sending widget states back as the browser does. After a Photo view
it uploads a phone photo at 12 MP (a shared photo where ../shared/photos is present), as the browser does
it: it asks the session for an upload URL, PUTs the JPEG there, and reruns with the uploader's new state.

All users start each round at the same moment, user i on view i + round, so every page is being opened at
once. The server is started exactly as the README says (`make run`, the port from STREAMLIT_SERVER_PORT);
`--replicas N` starts N of them behind deploy/'s nginx config; `--url` points at an app already running.
Server CPU time per view (one user, views one after another) comes first: it does not depend on what
else the machine runs, unlike the wall times under load.
"""

from __future__ import annotations

import argparse
import itertools
import os
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import requests
from urllib3.util.retry import Retry
from websockets.sync.client import connect

from fmnist.config import CLASS_NAMES, PROJECT_ROOT
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from tests.e2e import harness

# Page views a class opens: (url path = Streamlit's page name, query string); {i} a test image, {step} a lesson step.
VIEWS: dict[str, tuple[str, str]] = {
    "Browse": ("", ""),
    "Browse detail": ("", "idx={i}"),
    "Draw": ("draw", ""),
    "Photo": ("photo", ""),
    "Model": ("model", ""),
    "Feature map": ("map", ""),
    "Train": ("train", ""),
    "Inside": ("inside", "idx={i}"),
    "Lesson": ("lesson", "step={step}"),
    "Quiz": ("quiz", ""),
}
FILTER, NEXT_PAGE = "Browse: change filter", "Browse: next page"  # interactions inside an open Browse session
UPLOAD = "Photo: upload 12 MP"  # inside an open Photo session
UPLOAD_LABEL = "Photo of a piece of clothing"  # the Photo page's file uploader
TIMEOUT = 120  # seconds a view may take before it counts as an error
BROWSER_CONNECTIONS = 6  # a browser's parallel HTTP/1.1 connections to one host


@dataclass
class Sample:
    view: str
    seconds: float
    error: str | None = None
    media: int = 0
    images: int = 0  # pictures the run sent, as media files or inline (`data:` URIs)
    cookies: dict[str, str] = field(default_factory=dict)  # what this user sent (the route cookie behind nginx)
    answer_seconds: float | None = None  # until the answer's heading arrived (Draw, Photo), before the rest of the run


@dataclass
class Run:
    """What one script run sent: the widgets by label, the media it referred to, how it ended."""

    widgets: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (widget id, element type)
    media: list[str] = field(default_factory=list)
    images: int = 0
    error: str | None = None
    answer_at: float | None = None  # perf_counter when the answer's heading ("## T-shirt/top 67%") arrived


def _media_urls(message, found: list[str]) -> None:
    """Every string field under a protobuf message that names a /media/ file."""
    for descriptor, value in message.ListFields():
        values = value if descriptor.is_repeated else [value]
        for item in values:
            if descriptor.type == descriptor.TYPE_MESSAGE:
                _media_urls(item, found)
            elif isinstance(item, str) and "/media/" in item:
                found.append(item)


class VirtualUser:
    """One browser tab: a cookie jar and keep-alive connections (requests), and one websocket session."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only: no proxy from the environment
        # A kept-alive connection the server closed while idle (uvicorn: after 5 s) is retried once, as browsers do.
        self.http.mount("http://", requests.adapters.HTTPAdapter(
            pool_maxsize=BROWSER_CONNECTIONS, max_retries=Retry(total=1, connect=1, read=1, status=0)))
        self.ws = None
        self.session_id = ""

    def open(self, path: str, query: str) -> Run:
        """Load the page, connect a new session and run the script on that page."""
        self.close()
        response = self.http.get(f"{self.base_url}/{path}" + (f"?{query}" if query else ""), timeout=TIMEOUT)
        response.raise_for_status()
        if "_streamlit_xsrf" not in self.http.cookies:  # the browser asks /_stcore/health first: it sets the XSRF cookie
            self.http.get(f"{self.base_url}/_stcore/health", timeout=TIMEOUT).raise_for_status()
        parts = urlsplit(self.base_url)
        xsrf = self.http.cookies.get("_streamlit_xsrf")
        self.ws = connect(
            f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}{parts.path}/_stcore/stream",
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],  # as the browser: the XSRF token rides along
            origin=f"{parts.scheme}://{parts.netloc}",
            additional_headers={"Cookie": "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())},
            proxy=None, open_timeout=TIMEOUT, max_size=None, legacy=True,  # legacy: a connection, not a context manager
        )
        self.page, self.query = path, query
        return self.rerun()

    def rerun(self, widgets: list | None = None) -> Run:
        """Send a rerun (with changed widget states) and read until the script has finished."""
        message = BackMsg()
        message.rerun_script.query_string = self.query
        message.rerun_script.page_name = self.page
        message.rerun_script.context_info.url = f"{self.base_url}/{self.page}"
        for widget in widgets or []:
            message.rerun_script.widget_states.widgets.append(widget)
        self.ws.send(message.SerializeToString())
        run = Run()
        deadline = time.monotonic() + TIMEOUT
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                element_type = element.WhichOneof("type")
                if element_type == "markdown" and element.markdown.body.startswith("## ") and run.answer_at is None:
                    run.answer_at = time.perf_counter()  # Streamlit streams elements: the user reads this first
                if element_type == "exception":
                    run.error = f"exception shown: {element.exception.type}: {element.exception.message[:200]}"
                widget = getattr(element, element_type) if element_type else None
                if hasattr(widget, "id") and hasattr(widget, "label"):
                    run.widgets[widget.label] = (widget.id, element_type)
                _media_urls(element, run.media)
                run.images += len(element.imgs.imgs) if element_type == "imgs" else 0
            elif kind == "new_session" and forward.new_session.initialize.session_id:
                self.session_id = forward.new_session.initialize.session_id  # uploads are addressed to it
            elif kind == "page_info_changed":
                self.query = forward.page_info_changed.query_string  # the app wrote the view into the URL
            elif kind == "page_not_found":
                run.error = f"page not found: {self.page!r}"
            elif kind == "script_finished":
                if forward.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    run.media.clear()  # the script reran itself: the next run's elements replace these
                    run.images = 0
                    continue
                if forward.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY and not run.error:
                    run.error = f"script finished with status {forward.script_finished}"
                return run

    def upload(self, run: Run, label_start: str, name: str, data: bytes) -> Run:
        """Put a file into the file uploader labelled label_start and rerun, as the browser does: ask the
        session for an upload URL, PUT the file there (multipart, with the XSRF token), send the new state."""
        from streamlit.proto.Common_pb2 import FileUploaderState, UploadedFileInfo

        request = BackMsg()
        asked = request.file_urls_request
        asked.request_id, asked.session_id = uuid.uuid4().hex, self.session_id
        asked.file_names.append(name)
        self.ws.send(request.SerializeToString())
        deadline = time.monotonic() + TIMEOUT
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            answer = forward.file_urls_response
            if forward.WhichOneof("type") == "file_urls_response" and answer.response_id == asked.request_id:
                urls = answer.file_urls[0]
                break
        response = self.http.put(
            urls.upload_url if urls.upload_url.startswith("http") else self.base_url + urls.upload_url,
            files={"file": (name, data, "image/jpeg")},
            headers={"X-Xsrftoken": self.http.cookies.get("_streamlit_xsrf", "").strip('"')},  # the cookie, unquoted
            timeout=TIMEOUT,
        )
        if not response.ok:
            raise RuntimeError(f"PUT {urls.upload_url}: HTTP {response.status_code} {response.text[:200]}")
        info = UploadedFileInfo(file_id=urls.file_id, name=name, size=len(data), file_urls=urls)
        state = FileUploaderState(uploaded_file_info=[info])
        return self.rerun([_widget(run, label_start, file_uploader_state_value=state)])

    def fetch_media(self, run: Run) -> None:
        """Each distinct file once, six at a time: what a browser does over HTTP/1.1."""

        def get(url: str) -> None:
            response = self.http.get(url if url.startswith("http") else self.base_url + url, timeout=TIMEOUT)
            if response.status_code != 200 or not response.content:
                raise RuntimeError(f"GET {url}: HTTP {response.status_code}")

        with ThreadPoolExecutor(max_workers=BROWSER_CONNECTIONS) as pool:
            list(pool.map(get, dict.fromkeys(run.media)))

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
            self.ws = None


def _widget(run: Run, label_start: str, **value):
    """The WidgetState that sets the first widget whose label starts with label_start."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    for label, (widget_id, _) in run.widgets.items():
        if label.startswith(label_start):
            return WidgetState(id=widget_id, **value)
    raise RuntimeError(f"no widget labelled {label_start!r} in the run")


def _timed(view: str, user: VirtualUser, action) -> tuple[Sample, Run | None]:
    start = time.perf_counter()
    try:
        run = action()
        if run.error:
            return Sample(view, time.perf_counter() - start, run.error), run
        user.fetch_media(run)
        answer = None if run.answer_at is None else run.answer_at - start
        return Sample(view, time.perf_counter() - start, media=len(run.media), images=run.images,
                      cookies=dict(user.http.cookies), answer_seconds=answer), run
    except Exception as error:  # a refused connection, a time-out, a missing widget: all count as errors
        return Sample(view, time.perf_counter() - start, f"{type(error).__name__}: {error}"[:300]), None


def upload_photos(count: int) -> list[tuple[str, bytes]]:
    """(file name, JPEG bytes) of `count` phone photos at 12 MP, 2–2.6 MB each: distinct shared real photos
    where present (all 133 at most), else the bench's synthetic one (a test item on a noisy sheet).
    Distinct, as a class's are: the app caches an answer's heatmap by the model's input, so a photo
    sent twice costs less the second time. Encoded once, before any user starts."""
    from fmnist import data
    from fmnist.bench import real_photos_at_12_megapixels, synthetic_photo
    from fmnist.photoset import phone_jpeg

    if count <= 0:
        return []
    photos = [(name, phone_jpeg(photo)) for name, photo in real_photos_at_12_megapixels(count)]
    return photos or [("synthetic.jpg", phone_jpeg(synthetic_photo(data.load_test_split()[0])))]


def uploads_needed(users: int, rounds: int, only: str | None) -> int:
    """At most how many uploads a run makes: one per visit to the Photo page, every round with `only="Photo"`."""
    if only is not None:
        return users * rounds if only == "Photo" else 0
    return users * -(-rounds // len(VIEWS))  # the page rotation brings each user to Photo once every len(VIEWS) rounds


def user_round(user: VirtualUser, number: int, round_: int, interact: bool,
               next_photo: Callable[[], tuple[str, bytes]] | None = None, only: str | None = None) -> list[Sample]:
    """One view (the user's turn in the page rotation, or `only`) and, on Browse, two interactions in that
    session; on Photo, an upload of the photo `next_photo` hands out."""
    view = only or list(VIEWS)[(number + round_) % len(VIEWS)]
    path, query = VIEWS[view]
    image = (number * 37 + round_) % 10_000
    sample, run = _timed(view, user, lambda: user.open(path, query.format(i=image, step=image % 8 + 1)))
    samples = [sample]
    if interact and view == "Browse" and run is not None and not sample.error:
        true_class = CLASS_NAMES[number % len(CLASS_NAMES)]
        sample, run = _timed(FILTER, user, lambda: user.rerun([_widget(run, "True class", string_value=true_class)]))
        samples.append(sample)
        if run is not None and not sample.error:
            samples.append(_timed(NEXT_PAGE, user, lambda: user.rerun([_widget(run, "Page", int_value=2)]))[0])
    if interact and next_photo and view == "Photo" and run is not None and not sample.error:
        name, data = next_photo()
        samples.append(_timed(UPLOAD, user, lambda: user.upload(run, UPLOAD_LABEL, name, data))[0])
    return samples


def run_load(base_url: str, users: int, rounds: int, interact: bool = True,
             photos: list[tuple[str, bytes]] | None = None, only: str | None = None) -> tuple[list[Sample], float]:
    """Every user in its own thread; all start each round together. Returns the samples and wall seconds.
    With `interact`, users upload `photos` on the Photo page (default: as many as they will upload), each
    the next one in turn; with `only`, every user opens that view every round (`only="Photo"`: the whole
    class uploads at the same moment)."""
    photos = (photos or upload_photos(uploads_needed(users, rounds, only))) if interact else None
    turns = itertools.count()  # next() on it is atomic: each upload takes its own photo
    next_photo = (lambda: photos[next(turns) % len(photos)]) if photos else None
    barrier = threading.Barrier(users)
    samples: list[Sample] = []
    lock = threading.Lock()

    def one_user(number: int) -> None:
        user = VirtualUser(base_url)
        try:
            for round_ in range(rounds):
                barrier.wait()
                done = user_round(user, number, round_, interact, next_photo, only)
                with lock:
                    samples.extend(done)
        finally:
            user.close()

    threads = [threading.Thread(target=one_user, args=(i,), daemon=True) for i in range(users)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, time.perf_counter() - start


def one_at_a_time(server: harness.AppServer, repeats: int, photos: list[tuple[str, bytes]]) -> dict[str, tuple[float, float]]:
    """One user, one view after another: the median wall time and the server's CPU time per view, in ms.

    CPU time is what the view costs the server, whatever else the machine is doing at the time.
    """
    user, result = VirtualUser(server.url), {}
    try:
        for view, (path, query) in VIEWS.items():
            walls, cpu = [], server.cpu_seconds()
            for k in range(repeats):
                sample, run = _timed(view, user, lambda: user.open(path, query.format(i=k * 101, step=k % 8 + 1)))
                assert not sample.error, f"{view}: {sample.error}"
                walls.append(sample.seconds)
            result[view] = (percentile_ms(walls, 50), (server.cpu_seconds() - cpu) * 1000 / repeats)
        for view, label, values in ((FILTER, "True class", [{"string_value": c} for c in CLASS_NAMES]),
                                    (NEXT_PAGE, "Page", [{"int_value": k + 2} for k in range(len(CLASS_NAMES))])):
            _, run = _timed("Browse", user, lambda: user.open("", ""))
            walls, cpu = [], server.cpu_seconds()
            for k in range(repeats):
                sample, _ = _timed(view, user, lambda: user.rerun([_widget(run, label, **values[k % len(values)])]))
                assert not sample.error, f"{view}: {sample.error}"
                walls.append(sample.seconds)
            result[view] = (percentile_ms(walls, 50), (server.cpu_seconds() - cpu) * 1000 / repeats)
        _, run = _timed("Photo", user, lambda: user.open("photo", ""))
        walls, cpu = [], server.cpu_seconds()
        for k in range(repeats):
            sample, _ = _timed(UPLOAD, user, lambda: user.upload(run, UPLOAD_LABEL, *photos[k % len(photos)]))
            assert not sample.error, f"{UPLOAD}: {sample.error}"
            walls.append(sample.seconds)
        result[UPLOAD] = (percentile_ms(walls, 50), (server.cpu_seconds() - cpu) * 1000 / repeats)
    finally:
        user.close()
    return result


class ReadmeServer(harness.AppServer):
    """The server as the README starts it: `make run`, with only the port set (STREAMLIT_SERVER_PORT)."""

    def command(self):
        return ["make", "--no-print-directory", "run"], {**os.environ, "STREAMLIT_SERVER_PORT": str(self.port)}

    @property
    def pid(self) -> int:
        """make's child: the streamlit process (make runs the recipe's one command without a shell)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return int(children[0]) if children else self.process.pid

    def stop(self) -> None:
        if self.process and self.process.poll() is None and self.pid != self.process.pid:
            os.kill(self.pid, 15)  # streamlit first, so make does not leave it behind
        super().stop()


NGINX = os.environ.get("FMNIST_NGINX", "/usr/sbin/nginx")
NGINX_TEMPLATE = PROJECT_ROOT / "deploy" / "nginx.conf.template"


def render_nginx_template(servers: list[str], port: int) -> str:
    """What the nginx image's envsubst does with deploy/nginx.conf.template: fill in only its two variables."""
    return string.Template(NGINX_TEMPLATE.read_text()).safe_substitute(
        APP_SERVERS=" ".join(f"server {server};" for server in servers), LISTEN_PORT=str(port)
    )


class Nginx:
    """Debian's nginx running deploy/nginx.conf.template in front of local replicas, everything under `prefix`.

    The frame around the template is what the nginx image's /etc/nginx/nginx.conf gives, with every path
    (pid, logs, temp files) under the prefix, so no root is needed. The template logs to /dev/stdout, as
    in a container; here that is `access_log`.
    """

    def __init__(self, replicas: list[str], prefix: Path):
        self.prefix, self.port = prefix, harness.free_port()
        self.url, self.access_log = f"http://127.0.0.1:{self.port}", prefix / "access.log"
        (prefix / "app.conf").write_text(render_nginx_template(replicas, self.port))
        (prefix / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")  # workers that can read a root-owned temporary folder
            + f"worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
            "events { worker_connections 4096; }\nhttp {\n"
            + "".join(f"    {kind}_temp_path {prefix}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            + f"    include {prefix}/app.conf;\n}}\n"
        )
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "Nginx":
        with open(self.access_log, "w") as stdout:
            self.process = subprocess.Popen(
                [NGINX, "-p", str(self.prefix), "-e", str(self.prefix / "error.log"), "-c", str(self.prefix / "nginx.conf"),
                 "-g", "daemon off;"],
                stdout=stdout, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(self.prefix / 'error.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise TimeoutError(f"nginx did not answer within {timeout:.0f} s") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


def percentile_ms(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q)) if values else float("nan")


def table(samples: list[Sample], users: int, seconds: float, rss_mb: float | None, replicas: int = 1) -> str:
    ok = [s for s in samples if not s.error]
    lines = [
        f"{users} users, {len(samples)} views in {seconds:.1f} s: {len(ok) / seconds:.1f} views/s, "
        f"{len(samples) - len(ok)} errors, server RSS {'n/a' if rss_mb is None else f'{rss_mb:.0f} MB'}"
        + (f" ({replicas} replicas behind nginx)" if replicas > 1 else ""),
        "",
        "view | n | p50 ms | p95 ms | max ms | media files | errors",
        "--- | --- | --- | --- | --- | --- | ---",
    ]
    for view in [*VIEWS, FILTER, NEXT_PAGE, UPLOAD, "all"]:
        rows = samples if view == "all" else [s for s in samples if s.view == view]
        if not rows:
            continue
        times = [s.seconds for s in rows if not s.error]
        lines.append(
            f"{view} | {len(rows)} | {percentile_ms(times, 50):.0f} | {percentile_ms(times, 95):.0f} | "
            f"{percentile_ms(times, 100):.0f} | {sum(s.media for s in rows)} | {sum(1 for s in rows if s.error)}"
        )
        answers = [s.answer_seconds for s in rows if not s.error and s.answer_seconds is not None]
        if view == UPLOAD and answers:
            lines.append(f"{view}: until the answer shows | {len(answers)} | {percentile_ms(answers, 50):.0f} | "
                         f"{percentile_ms(answers, 95):.0f} | {percentile_ms(answers, 100):.0f} | | ")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=len(VIEWS), help="views per user (default: every page once)")
    parser.add_argument("--url", help="an app already running (e.g. behind nginx) instead of starting `make run`")
    parser.add_argument("--replicas", type=int, default=1, help="start this many `make run` behind nginx (deploy/)")
    parser.add_argument("--repeats", type=int, default=10, help="views of each page by one user first (0: skip)")
    parser.add_argument("--no-interact", dest="interact", action="store_false", help="page views only")
    parser.add_argument("--only", choices=VIEWS, metavar="VIEW",
                        help="every user opens this view every round, all at once (Photo: all upload a 12 MP photo at once)")
    args = parser.parse_args(argv)

    servers = [] if args.url else [ReadmeServer() for _ in range(args.replicas)]
    nginx, single = None, {}
    try:
        for server in servers:
            server.start(timeout=600)  # `make run` may first set up .venv
        if len(servers) > 1:
            nginx = Nginx([f"127.0.0.1:{s.port}" for s in servers], Path(tempfile.mkdtemp(prefix="fmnist-nginx-"))).start()
        base_url = args.url or (nginx.url if nginx else servers[0].url)
        _, warm = run_load(base_url, 3 * len(servers) if nginx else 1, len(VIEWS), interact=False)  # fill the caches (of each replica)
        print(f"warm-up: every page in {warm:.1f} s", file=sys.stderr)
        # Encoded once, before any timing; the one user's photos are not the class's, whose answers would be cached.
        alone = args.repeats if len(servers) == 1 else 0
        photos = upload_photos(alone + (uploads_needed(args.users, args.rounds, args.only) if args.interact else 0))
        if alone:
            single = one_at_a_time(servers[0], args.repeats, photos[:alone])
        samples, seconds = run_load(base_url, args.users, args.rounds, args.interact, photos[alone:] or photos, args.only)
        rss = sum(server.rss_mb() for server in servers) if servers else None
    finally:
        if nginx:
            nginx.stop()
        for server in servers:
            server.stop()
    if single:
        print("one user, one view at a time | wall p50 ms | server CPU ms per view")
        print("--- | --- | ---")
        for view, (wall, cpu) in single.items():
            print(f"{view} | {wall:.0f} | {cpu:.0f}")
        print()
    print(table(samples, args.users, seconds, rss, len(servers)))
    errors = [s for s in samples if s.error]
    for sample in errors[:10]:
        print(f"error in {sample.view}: {sample.error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
