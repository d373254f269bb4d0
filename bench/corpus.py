"""Fetch the pinned real-world corpus: aiohttp and popular aiohttp-based projects.

Sources are downloaded as sdists (``pip download --no-deps --no-binary :all:``)
and unpacked into ``bench/corpus/`` (git-ignored). Running it again reuses what
is already there, so the corpus is reproducible and cheap to refresh.

    python bench/corpus.py            # fetch and unpack
    python bench/corpus.py --list     # print the unpacked project folders
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"

# name==version: aiohttp itself, then libraries and applications built on it.
PINNED = [
    "aiohttp==3.14.5",
    "discord.py==2.7.1",
    "aiogram==3.31.0",
    "aiobotocore==3.10.0",
    "slack_sdk==3.47.0",
    "aiodocker==0.27.0",
    "aiohttp-jinja2==1.6",
    "aiohttp-session==2.12.1",
    "aioresponses==0.7.9",
    "asyncpraw==8.0.3",
    "gidgethub==6.0.0",
    "aiohttp-retry==2.9.1",
    "aiohttp-cors==0.8.1",
    "hass-nabucasa==0.82.0",
    # Applications: bots, integrations and services, where sessions are made the way
    # application code makes them (per command, per poll, per request).
    "Red-DiscordBot==3.5.24",  # a discord.py bot and its cogs
    "jishaku==2.7.5",  # discord.py debugging cog
    "maubot==0.6.0",  # a Matrix bot system: server, management API, plugins
    "opsdroid==0.31.0",  # a chat-ops bot framework and its connectors
    "appdaemon==4.5.13",  # Home Assistant apps daemon: web server and HA client
    "homeassistant==2024.3.3",  # Home Assistant: its integrations that use aiohttp (see KEEP)
]

# Projects too large to keep whole: what is kept of them. Home Assistant's core helpers
# and each integration whose code imports aiohttp (225 integrations; 11 MB of its 33 MB of Python).
AIOHTTP_IMPORT = re.compile(rb"^\s*(import aiohttp|from aiohttp[. ])", re.M)


def keep_homeassistant(root: Path) -> None:
    package = root / "homeassistant"
    for entry in list(root.iterdir()):
        if entry != package and entry.name != "pyproject.toml":  # it marks the project's root, as in its repository
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for entry in list(package.iterdir()):
        if entry.name not in ("components", "helpers", "core.py", "__init__.py"):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for component in list((package / "components").iterdir()):
        if component.is_dir() and not any(AIOHTTP_IMPORT.search(f.read_bytes()) for f in component.rglob("*.py")):
            shutil.rmtree(component)
        elif component.is_file() and component.name != "__init__.py":
            component.unlink()


KEEP = {"homeassistant": keep_homeassistant}


def keep(name: str, root: Path) -> None:
    if name in KEEP:
        KEEP[name](root)


def project_dirs() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.exists() else []


def unpack(archive: Path, dest: Path) -> None:
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest)
    else:
        with tarfile.open(archive) as tf:
            if sys.version_info >= (3, 12):
                tf.extractall(dest, filter="data")
            else:
                tf.extractall(dest)


def fetch(spec: str) -> Path:
    name, version = spec.split("==")
    existing = [p for p in project_dirs() if p.name.lower().replace("_", "-").replace(".", "-")
                .startswith(f"{name}-{version}".lower().replace("_", "-").replace(".", "-"))]
    if existing:
        keep(name, existing[0])  # again: an earlier run may have stopped before it
        return existing[0]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--no-binary", ":all:", "--dest", tmp, spec],
            check=True,
        )
        (archive,) = Path(tmp).iterdir()
        before = set(project_dirs())
        unpack(archive, CORPUS)
        (new,) = set(project_dirs()) - before
        keep(name, new)
        return new


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="only list the unpacked projects")
    args = parser.parse_args()
    if not args.list:
        CORPUS.mkdir(parents=True, exist_ok=True)
        for spec in PINNED:
            print(f"{spec:32} -> {fetch(spec).relative_to(CORPUS.parent)}", flush=True)
    for path in project_dirs():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
