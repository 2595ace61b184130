"""Make sure a Chromium that Playwright can drive exists, and that video recording has its ffmpeg.

Order: Playwright's own Chromium (already installed, or downloaded now); else Debian's `chromium`
package when running as root; else one clear instruction. Run by `make setup`; safe to run again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SYSTEM_CHROMIUMS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
DOWNLOAD_TIMEOUT_S = 600
# Where the download cannot work (no internet), try it once per virtualenv, not on every run.
DOWNLOAD_FAILED_MARKER = Path(sys.prefix) / ".playwright-download-failed"


def browsers_path() -> Path:
    env = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    return Path(env) if env and env != "0" else Path.home() / ".cache" / "ms-playwright"


def playwright_revision(name: str) -> str:
    import playwright

    manifest = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    for browser in json.loads(manifest.read_text())["browsers"]:
        if browser["name"] == name:
            return str(browser["revision"])
    raise LookupError(f"{name} not in {manifest}")


def playwright_chromium_installed() -> bool:
    revision = playwright_revision("chromium")
    return any(browsers_path().glob(f"chromium*-{revision}/*/INSTALLATION_COMPLETE")) or any(
        browsers_path().glob(f"chromium-{revision}/INSTALLATION_COMPLETE")
    )


def system_chromium() -> str | None:
    for path in SYSTEM_CHROMIUMS:
        if os.access(path, os.X_OK):
            return path
    return None


def try_playwright_download() -> bool:
    print("setup: trying Playwright's own Chromium download ...", flush=True)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "playwright", "install", "chromium"],
            capture_output=True,
            timeout=DOWNLOAD_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


def install_debian_chromium() -> bool:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    print("setup: installing Debian's chromium package (apt-get) ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        if subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, check=False).returncode != 0:
            return False
    return system_chromium() is not None


def link_ffmpeg() -> None:
    """Playwright records video with its own ffmpeg build; imageio-ffmpeg ships a usable one."""
    target = browsers_path() / f"ffmpeg-{playwright_revision('ffmpeg')}" / "ffmpeg-linux"
    if target.exists() or not sys.platform.startswith("linux"):
        return
    import imageio_ffmpeg

    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(imageio_ffmpeg.get_ffmpeg_exe())
    (target.parent / "INSTALLATION_COMPLETE").touch()
    print(f"setup: linked ffmpeg for video recording at {target}")


def main() -> int:
    if playwright_chromium_installed():
        print("setup: browser: Playwright's own Chromium")
    elif not DOWNLOAD_FAILED_MARKER.exists() and try_playwright_download():
        print("setup: browser: Playwright's own Chromium (downloaded)")
    elif (DOWNLOAD_FAILED_MARKER.touch() or system_chromium()) or install_debian_chromium():
        print(f"setup: browser: system Chromium at {system_chromium()}")
    else:
        print(
            "setup: no Chromium found and none could be installed.\n"
            "  Install one, then run `make setup` again:\n"
            "    Debian/Ubuntu:  sudo apt-get install chromium\n"
            "    anywhere with internet:  .venv/bin/playwright install chromium\n"
            "  or point the harness at a remote browser: --browser-ws-endpoint ws://HOST:PORT/...",
            file=sys.stderr,
        )
        return 1
    link_ffmpeg()
    return 0


if __name__ == "__main__":
    sys.exit(main())
