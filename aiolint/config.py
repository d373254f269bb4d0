"""Settings: which rules run, on which files, with which options.

They come from ``[tool.aiolint]`` in the nearest ``pyproject.toml`` (or ``--config``),
then the command line: a flag replaces the file's value of the key with its name,
except that ``--extend-select`` and ``--ignore`` apply on top of the file's selection.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple, Type

from .catalog import look_in, rule_catalog

if TYPE_CHECKING:
    from .rules import Rule

DEFAULT_EXCLUDE: Tuple[str, ...] = (
    ".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "build", "dist", ".tox", ".nox",
    "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".aiolint_cache", ".eggs",
)
DEFAULT_CACHE_DIR = ".aiolint_cache"
# The cost of one file is bounded: LibCST needs about 650 bytes of memory per byte of source, and
# the largest real source files (generated API clients) are about 6 MB.
DEFAULT_MAX_FILE_SIZE = 8.0  # MB
DEFAULT_FILE_TIMEOUT = 120.0  # seconds

CODE_OR_PREFIX = re.compile(r"^AIO[0-9]{0,3}$")
BLOCKING_FAMILY = "AIO3"  # the rules that read extend-blocking-calls
DOTTED_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class ConfigError(Exception):
    """A usage or configuration error: reported in one line, exit code 2."""


def expand(selectors: Iterable[str], origin: str = "--select") -> FrozenSet[str]:
    """Codes matched by codes or prefixes (``AIO3``, ``AIO301``, ``ALL``); unknown ones are an error."""
    codes = set()
    known = rule_catalog()  # codes known without importing the rules (and LibCST)
    for raw in selectors:
        selector = raw.strip().upper()
        if not selector:
            continue
        if selector == "ALL":
            codes.update(known)
            continue
        matched = [code for code in known if code.startswith(selector)]
        if not CODE_OR_PREFIX.match(selector) or not matched:
            raise ConfigError(f"{origin}: unknown rule code or prefix {raw.strip()!r}")
        codes.update(matched)
    return frozenset(codes)


@dataclass(frozen=True)
class Selection:
    """Which rules are enabled: ruff's semantics (select replaces the default set).

    ``base`` is the selection this one applies on top of (the configuration file's,
    under the command line's): ``select`` starts over, ``extend_select`` and
    ``ignore`` add to and take from what ``base`` enables.
    """

    select: Optional[Tuple[str, ...]] = None  # None: what base enables (or the rules on by default)
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    base: Optional["Selection"] = None

    def codes(self) -> FrozenSet[str]:
        # Asked for every file of a run: worked out once per catalog of rules (tests register rules of their own).
        catalog = rule_catalog()
        known = self.__dict__.get("_known")
        if known is not None and known[0] is catalog:
            return known[1]
        if self.select is not None:
            start = expand(self.select)
        elif self.base is not None:
            start = self.base.codes()
        else:
            start = frozenset(code for code, rule in catalog.items() if rule.default_enabled)
        codes = (start | expand(self.extend_select, "extend-select")) - expand(self.ignore, "--ignore")
        object.__setattr__(self, "_known", (catalog, codes))  # a frozen dataclass: not one of its fields
        return codes

    def rules(self, extra_ignore: Iterable[str] = ()) -> List[Type["Rule"]]:
        from .rules import REGISTRY

        codes = self.codes() - expand(extra_ignore, "per-file-ignores")
        return [rule for code, rule in REGISTRY.items() if code in codes]


def relative_path(path: str, root: str) -> str:
    """``path`` from ``root``, with ``/`` separators (``../x.py`` when it lies outside)."""
    return os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")


def glob_matches(pattern: str, relpath: str) -> bool:
    """Whether a pattern matches a path relative to the project root, or a directory above it.

    As ruff's: a pattern without ``/`` matches a file or directory name at any depth
    (``build``, ``test_*.py``); a pattern with ``/`` matches from the project root
    (``tests/*``, ``src/legacy``). ``*`` also matches ``/``.
    """
    parts = relpath.split("/")
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part, pattern) for part in parts)
    return any(fnmatch.fnmatchcase("/".join(parts[:end]), pattern) for end in range(len(parts), 0, -1))


@dataclass(frozen=True)
class Settings:
    selection: Selection = field(default_factory=Selection)
    exclude: Tuple[str, ...] = DEFAULT_EXCLUDE  # exclude and extend-exclude together
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()  # (pattern, codes)
    respect_gitignore: bool = True
    force_exclude: bool = False
    options: Dict[str, object] = field(default_factory=dict)
    root: str = field(default_factory=os.getcwd)  # the directory patterns are relative to
    cache_dir: str = ""  # default: .aiolint_cache in root
    baseline: str = ""  # the baseline file the findings are compared with ("": none)
    config_file: Optional[str] = None  # where these settings were read (None: the defaults)
    resolver: Optional["Hierarchy"] = field(default=None, compare=False, repr=False)
    max_file_size: float = DEFAULT_MAX_FILE_SIZE  # MB: larger files are AIO004, not linted
    file_timeout: float = DEFAULT_FILE_TIMEOUT  # seconds: a file that takes longer is AIO005

    def __post_init__(self) -> None:
        if not self.cache_dir:
            object.__setattr__(self, "cache_dir", os.path.join(self.root, DEFAULT_CACHE_DIR))

    def relative(self, path: str) -> str:
        return relative_path(path, self.root)

    def for_file(self, path: str) -> "Settings":
        """The settings that apply to this file: the closest configuration's (these, with ``--config``)."""
        return self.for_directory(os.path.dirname(os.path.abspath(path)))

    def for_directory(self, directory: str) -> "Settings":
        return self.resolver.for_directory(directory) if self.resolver is not None else self

    def ignored_for(self, path: str) -> List[str]:
        """The codes and prefixes that per-file-ignores leave out for this file."""
        if not self.per_file_ignores:
            return []
        relpath = self.relative(path)
        return [code for pattern, codes in self.per_file_ignores if glob_matches(pattern, relpath)
                for code in codes]

    def rules_for(self, path: str) -> List[Type["Rule"]]:
        """The rules enabled for this file: the selection minus its per-file ignores."""
        return self.selection.rules(self.ignored_for(path))

    def codes_for(self, path: str) -> FrozenSet[str]:
        """The codes of ``rules_for(path)``, known without importing the rules."""
        return self.selection.codes() - expand(self.ignored_for(path), "per-file-ignores")


def split_codes(values: Sequence[str]) -> Tuple[str, ...]:
    """``("AIO1,AIO3", "AIO5")`` -> ``("AIO1", "AIO3", "AIO5")``: flags may repeat or hold commas."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


# -- reading and checking configuration --------------------------------------------------------

def _strings(value: Any, origin: str) -> Tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{origin}: expected a list of strings, got {value!r}")
    return tuple(value)


def _table(value: Any, origin: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{origin}: expected a table, got {value!r}")
    return value


def _codes(value: Any, origin: str) -> Tuple[str, ...]:
    codes = _strings(value, origin)
    expand(codes, origin)  # unknown codes are an error
    return tuple(code.strip().upper() for code in codes)


def _patterns(value: Any, origin: str, base: str, root: str) -> Tuple[str, ...]:
    """Glob patterns, rewritten relative to the project root (they were written relative to ``base``)."""
    patterns = []
    for pattern in _strings(value, origin):
        pattern = pattern.strip().rstrip("/")
        if not pattern:
            raise ConfigError(f"{origin}: empty pattern")
        if "/" in pattern or os.path.isabs(pattern):
            pattern = relative_path(os.path.join(base, pattern), root)
        patterns.append(pattern)
    return tuple(patterns)


def _boolean(value: Any, origin: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{origin}: expected true or false, got {value!r}")
    return value


def _per_file_ignores(value: Any, origin: str, base: str, root: str) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    return tuple((_patterns([pattern], f"{origin} {pattern!r}", base, root)[0],
                  _codes(codes, f"{origin} {pattern!r}"))
                 for pattern, codes in _table(value, origin).items())


def _blocking_calls(value: Any, origin: str) -> Dict[str, str]:
    calls = {}
    blocking = sorted(code for code in rule_catalog() if code.startswith(BLOCKING_FAMILY))
    for name, code in _table(value, origin).items():
        if not DOTTED_NAME.match(name):
            raise ConfigError(f"{origin}: {name!r} is not a qualified name such as 'mylib.http.get'")
        if not isinstance(code, str) or code.strip().upper() not in blocking:
            raise ConfigError(f"{origin} {name!r}: {code!r} is not a blocking-call code ({', '.join(blocking)})")
        calls[name] = code.strip().upper()
    return calls


FACTORY_KINDS = ("session", "connector", "request", "response", "app", "path", "file", "sync-http-client", "socket")


def _factories(value: Any, origin: str) -> Dict[str, str]:
    factories = {}
    for name, kind in _table(value, origin).items():
        if not DOTTED_NAME.match(name):
            raise ConfigError(f"{origin}: {name!r} is not a qualified name such as 'mylib.net.make_session'")
        if not isinstance(kind, str) or kind.strip().lower() not in FACTORY_KINDS:
            raise ConfigError(f"{origin} {name!r}: {kind!r} is not a kind of value ({', '.join(FACTORY_KINDS)})")
        factories[name] = kind.strip().lower()
    return factories


def _positive_number(value: Any, origin: str) -> float:
    if isinstance(value, str):  # from the command line
        try:
            value = float(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise ConfigError(f"{origin}: expected a positive number, got {value!r}")
    return float(value)


def _path(value: Any, origin: str, base: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{origin}: expected a path, got {value!r}")
    return os.path.normpath(os.path.join(base, os.path.expanduser(value)))


KEYS = ("select", "extend-select", "ignore", "per-file-ignores", "exclude", "extend-exclude",
        "respect-gitignore", "force-exclude", "extend-blocking-calls", "extend-factories", "cache-dir",
        "max-file-size", "file-timeout", "baseline", "peer-noqa")


def check_values(table: Mapping[str, Any], origin: str, base: str, root: str) -> Dict[str, Any]:
    """Validate configuration values: key -> value in the type Settings holds.

    ``origin(key)`` names where a key was written (for errors); relative paths in
    values are relative to ``base`` (the configuration file's directory, or the
    current directory for flags).
    """
    checked: Dict[str, Any] = {}
    for key, value in table.items():
        where = origin.format(key=key)
        if key not in KEYS:
            import difflib  # only for a mistake

            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; known keys: {', '.join(KEYS)}"
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")
        if key in ("select", "extend-select", "ignore"):
            checked[key] = _codes(value, where)
        elif key in ("exclude", "extend-exclude"):
            checked[key] = _patterns(value, where, base, root)
        elif key == "per-file-ignores":
            checked[key] = _per_file_ignores(value, where, base, root)
        elif key in ("respect-gitignore", "force-exclude", "peer-noqa"):
            checked[key] = _boolean(value, where)
        elif key == "extend-blocking-calls":
            checked[key] = _blocking_calls(value, where)
        elif key == "extend-factories":
            checked[key] = _factories(value, where)
        elif key in ("max-file-size", "file-timeout"):
            checked[key] = _positive_number(value, where)
        else:
            checked[key] = _path(value, where, base)
    return checked


def read_toml(path: str) -> Dict[str, Any]:
    if sys.version_info >= (3, 11):  # imported once a configuration file is read: a run may read none
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:  # its message ends with "(at line L, column C)"
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def aiolint_table(path: str, data: Mapping[str, Any]) -> Optional[Mapping[str, Any]]:
    """The aiolint settings of a file: ``[tool.aiolint]`` of a pyproject.toml, else the whole file."""
    if os.path.basename(path) != "pyproject.toml":
        return data
    table = _table(data.get("tool", {}), f"{path}: [tool]").get("aiolint")
    return None if table is None else _table(table, f"{path}: [tool.aiolint]")


# The files that may hold aiolint's settings, in the order they are preferred in one directory (as ruff's).
CONFIG_FILES = (".aiolint.toml", "aiolint.toml", "pyproject.toml")


def config_in(directory: str) -> Optional[str]:
    """The configuration file of a directory: ``.aiolint.toml``, ``aiolint.toml``, or a
    ``pyproject.toml`` with a ``[tool.aiolint]`` table (one without is passed over)."""
    for name in CONFIG_FILES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and (name != "pyproject.toml"
                                          or aiolint_table(candidate, read_toml(candidate)) is not None):
            return candidate
    return None


def find_config(start: str) -> Optional[str]:
    """The nearest configuration file, from ``start`` upward."""
    directory = os.path.abspath(start)
    while True:
        found = config_in(directory)
        if found is not None:
            return found
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


class Hierarchy:
    """Each file's settings: those of the closest configuration file above it, as ruff finds them,
    under the same command-line flags; a file with none above it gets the current directory's.

    Run-wide keys (``cache-dir``, ``baseline``) are the current directory's configuration's.
    """

    def __init__(self, flags: Mapping[str, Any], cwd: str) -> None:
        self.flags = flags
        self.cwd = cwd
        self.top: Optional[Settings] = None
        self._directories: Dict[str, Settings] = {}
        self._configs: Dict[Optional[str], Settings] = {}

    def adopt(self, top: Settings) -> Settings:
        self.top = top
        self._configs[top.config_file] = top
        return top

    def for_directory(self, directory: str) -> Settings:
        assert self.top is not None
        directory = os.path.abspath(directory)
        known = self._directories.get(directory)
        if known is None:
            config = config_in(directory)
            if config is not None:
                known = self._configs.get(config)
                if known is None:
                    known = self._configs[config] = settings_from(
                        config, self.flags, self.cwd, resolver=self, run_wide=self.top)
            else:
                parent = os.path.dirname(directory)
                known = self.top if parent == directory else self.for_directory(parent)
            self._directories[directory] = known
        return known

    def used(self) -> List[Optional[str]]:
        """The configuration files read so far (None: the defaults)."""
        return list(self._configs)


def load_settings(config: Optional[str] = None, isolated: bool = False,
                  flags: Optional[Mapping[str, Any]] = None, cwd: Optional[str] = None) -> Settings:
    """Settings from the configuration file (unless isolated), then the flags.

    ``flags`` maps configuration keys to the values given on the command line
    (None: not given). Relative paths in the file are relative to its directory,
    the project root; on the command line, to the current directory. Without
    ``--config`` or ``--isolated``, ``Settings.for_file`` gives each file the
    settings of the configuration closest to it.
    """
    cwd = os.path.abspath(cwd or os.getcwd())
    if config is not None and isolated:
        raise ConfigError("--config and --isolated cannot be used together")
    path = None if isolated else (config if config is not None else find_config(cwd))
    given = {key: value for key, value in (flags or {}).items() if value is not None}
    if config is not None or isolated:
        return settings_from(path, given, cwd)
    hierarchy = Hierarchy(given, cwd)
    return hierarchy.adopt(settings_from(path, given, cwd, resolver=hierarchy))


def settings_from(path: Optional[str], given: Mapping[str, Any], cwd: str, resolver: Optional[Hierarchy] = None,
                  run_wide: Optional[Settings] = None) -> Settings:
    """The settings of one configuration file (None: the defaults) under the flags ``given``.
    ``run_wide``: the settings whose run-wide keys apply (those of the current directory)."""
    root = os.path.dirname(os.path.abspath(path)) if path else cwd
    table: Mapping[str, Any] = {}
    where = ""
    if path is not None:
        table = aiolint_table(path, read_toml(path)) or {}
        where = f"{path}: [tool.aiolint] {{key}}" if os.path.basename(path) == "pyproject.toml" else f"{path}: {{key}}"
    if run_wide is None:
        # The cache directory first: the rule catalog stored there checks codes without importing the rules.
        cache_dir = {**check_values({k: v for k, v in table.items() if k == "cache-dir"}, where, root, root),
                     **check_values({k: v for k, v in given.items() if k == "cache-dir"}, "--{key}", cwd, root)}
        look_in(cache_dir.get("cache-dir") or os.path.join(root, DEFAULT_CACHE_DIR))
    from_file = check_values(table, where, root, root)
    from_flags = check_values(given, "--{key}", cwd, root)
    value = {**from_file, **from_flags}.get  # a flag replaces the file's value; an extend-* flag adds to it

    def layer(values: Mapping[str, Any], base: Optional[Selection] = None) -> Selection:
        return Selection(values.get("select"), values.get("extend-select", ()), values.get("ignore", ()), base)

    return Settings(
        selection=layer(from_flags, base=layer(from_file)),
        exclude=value("exclude", DEFAULT_EXCLUDE) + from_file.get("extend-exclude", ()) + from_flags.get("extend-exclude", ()),
        per_file_ignores=value("per-file-ignores", ()),
        respect_gitignore=value("respect-gitignore", True),
        force_exclude=value("force-exclude", False),
        options={"extend-blocking-calls": {**from_file.get("extend-blocking-calls", {}),
                                           **from_flags.get("extend-blocking-calls", {})},
                 "extend-factories": {**from_file.get("extend-factories", {}),
                                      **from_flags.get("extend-factories", {})},
                 "peer-noqa": value("peer-noqa", True)},
        root=root,
        cache_dir=run_wide.cache_dir if run_wide is not None else value("cache-dir", ""),
        max_file_size=run_wide.max_file_size if run_wide is not None else value("max-file-size", DEFAULT_MAX_FILE_SIZE),
        file_timeout=run_wide.file_timeout if run_wide is not None else value("file-timeout", DEFAULT_FILE_TIMEOUT),
        baseline=run_wide.baseline if run_wide is not None else value("baseline", ""),
        config_file=os.path.abspath(path) if path else None,
        resolver=resolver,
    )


def show_settings(settings: Settings, path: str) -> str:
    """``--show-settings FILE``: the settings that apply to one file and where they come from, as TOML."""
    import json

    own = settings.for_file(path)
    if own.config_file is None:
        origin = "no configuration file: the defaults"
    elif os.path.basename(own.config_file) == "pyproject.toml":
        origin = f"{own.config_file} [tool.aiolint]"
    else:
        origin = own.config_file
    from .discovery import FileFilter

    excluded = FileFilter(own).force_excluded(path)

    def toml(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict):
            return "{ " + ", ".join(f"{json.dumps(k)} = {toml(v)}" for k, v in value.items()) + " }" if value else "{}"
        return json.dumps(list(value) if isinstance(value, tuple) else value)

    rows = [
        ("enabled", sorted(own.codes_for(path))),
        ("per-file-ignores", own.ignored_for(path)),
        ("exclude", own.exclude),
        ("respect-gitignore", own.respect_gitignore),
        ("force-exclude", own.force_exclude),
        *sorted(own.options.items()),
        ("cache-dir", own.cache_dir),
        ("baseline", own.baseline),
    ]
    return (f"# {path}\n# settings from {origin}, then the command line's flags\n"
            f"# project root: {own.root}\n"
            f"# excluded: {'yes (linted only when named, without --force-exclude)' if excluded else 'no'}\n"
            + "".join(f"{key} = {toml(value)}\n" for key, value in rows))
