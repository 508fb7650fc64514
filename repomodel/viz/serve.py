"""`repomodel viz`: check the input, take the port, and serve the page with Solara.

This module is what the `repomodel` command loads to register `viz`, so it imports nothing
heavy at the top: Solara and uvicorn are imported only once the input is known to be good and
the page is about to be served. The page itself lives in `page.py`, which Solara imports.
"""

from __future__ import annotations

import argparse
import errno
import os
import socket
import warnings
from pathlib import Path

from repomodel import scenario as scenarios
from repomodel.errors import InputError, whole_number

PAGE_MODULE = "repomodel.viz.page"
SCENARIO_ENV = "REPOMODEL_VIZ_SCENARIO"  # the scenario the page opens with (read by page.py)
ASSETS_ENV = "SOLARA_ASSETS_PROXY_CACHE_DIR"
ASSETS_DIR = Path(".assets") / "cdn"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scenario",
        default="rmp40",
        metavar="NAME|PATH",
        help=f"scenario the page opens with ({', '.join(scenarios.scenario_names())} "
        "or a TOML file); default rmp40",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on; default 127.0.0.1 (this machine only)"
    )
    parser.add_argument(
        "--port", type=whole_number("a port, e.g. 8765"), default=8765, help="port; default 8765"
    )


def main(args: argparse.Namespace) -> int:
    """Check the scenario and the port, then serve the page until interrupted."""
    scenario = args.scenario
    if Path(scenario).exists() or scenario.endswith(".toml"):
        scenario = str(Path(scenario).resolve())
    # bad scenario: InputError, exit 2, before anything starts (loaded as the page opens it: from
    # its own start, as `repomodel run` does; controls.VizModel)
    scenarios.load(scenario)
    if not 0 < args.port < 65536:
        raise InputError(f"--port: {args.port} is not a port: expected 1-65535")
    sock = bind(args.host, args.port)
    assets = find_assets()
    _environment(scenario, assets, args.host, args.port)  # before Solara is imported: it reads them
    try:
        import solara.server.settings as settings
        import uvicorn
    except ImportError as exc:
        sock.close()
        raise InputError(
            f"viz: {exc.name} is not installed: expected the viz extra (pip install -e '.[viz]')"
        ) from None
    _settings(settings, assets)
    where = (
        f"local copy in {assets}"
        if assets
        else "fetched from the public CDN (offline: run scripts/prepare_viz_assets.sh)"
    )
    print(
        f"repomodel viz: serving {scenario} on http://{args.host}:{args.port}/ "
        f"(JavaScript: {where}); Ctrl-C to stop",
        flush=True,
    )
    config = uvicorn.Config(
        "solara.server.starlette:app", host=args.host, port=args.port, log_level="warning", ws_max_size=2**24
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def _environment(scenario: str, assets: Path | None, host: str, port: int) -> None:
    """Point Solara at the page, the scenario and the local assets; no telemetry."""
    os.environ[SCENARIO_ENV] = scenario
    if assets is not None:
        os.environ[ASSETS_ENV] = str(assets)
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    os.environ["SOLARA_APP"] = PAGE_MODULE
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)


def _settings(settings, assets: Path | None) -> None:
    """The same choices on Solara's settings object, which may have read the environment already."""
    if assets is not None:
        settings.assets.proxy_cache_dir = assets
    settings.telemetry.mixpanel_enable = False
    settings.main.mode = "production"  # no code reloading: the page is an already imported module
    # Solara warns on every page load over plain http from a non-"localhost" name (it would like
    # to set an iframe-friendly cookie); the page is not meant to be embedded.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")


def bind(host: str, port: int) -> socket.socket:
    """Take the port now, so a busy port is a clear error rather than a server traceback."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(f"--host: '{host}' is not an address of this machine ({exc.strerror})") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise InputError(
                f"--port: {port} on {host} is already in use: choose another, e.g. --port {port + 1}"
            ) from None
        raise InputError(f"--host/--port: cannot listen on {host}:{port} ({exc.strerror})") from None
    sock.listen(128)
    return sock


def find_assets() -> Path | None:
    """The local copy of Solara's CDN files, if prepared (scripts/prepare_viz_assets.sh)."""
    candidates = [os.environ.get(ASSETS_ENV), ASSETS_DIR, Path(__file__).resolve().parents[2] / ASSETS_DIR]
    for c in candidates:
        if c and (Path(c) / "requirejs@2.3.6").is_dir():
            return Path(c).resolve()
    return None
