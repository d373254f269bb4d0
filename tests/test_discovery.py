"""Which files a run lints: recursion, exclude patterns, .gitignore files (in a real git repository), force-exclude."""

from __future__ import annotations

import subprocess

import pytest

from aiolint.config import DEFAULT_EXCLUDE, ConfigError, Settings
from aiolint.discovery import discover


def make(root, *paths):
    for path in paths:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x = 1\n")


def files(root, *paths, **settings):
    """What discover() finds under ``root`` (the project root and current directory)."""
    return discover(list(paths) or ["."], Settings(root=str(root), **settings))


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A real git work tree, the current directory."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_directories_are_searched_for_python_files_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make(tmp_path, "a.py", "stubs/b.pyi", "c.txt", "pkg/sub/d.py")
    assert files(tmp_path) == ["a.py", "pkg/sub/d.py", "stubs/b.pyi"]


def test_default_excludes_apply_at_any_depth(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make(tmp_path, "a.py", ".venv/lib/x.py", "pkg/__pycache__/y.py", "pkg/build/z.py", "node_modules/n.py")
    assert files(tmp_path) == ["a.py"]


def test_a_bare_pattern_matches_names_and_a_slash_pattern_matches_from_the_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make(tmp_path, "a.py", "test_a.py", "pkg/test_b.py", "src/legacy/old.py", "other/src/legacy/kept.py")
    found = files(tmp_path, exclude=("test_*.py", "src/legacy"))
    assert found == ["a.py", "other/src/legacy/kept.py"]


def test_patterns_are_relative_to_the_project_root_not_the_current_directory(tmp_path, monkeypatch):
    make(tmp_path, "src/legacy/old.py", "src/new.py")
    monkeypatch.chdir(tmp_path / "src")
    assert files(tmp_path, ".", exclude=("src/legacy",)) == ["new.py"]


def test_an_explicit_file_is_linted_even_when_excluded_unless_force_exclude(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make(tmp_path, "build/gen.py", "migrations/m.py", "ok.py")
    settings = dict(exclude=DEFAULT_EXCLUDE + ("migrations",))
    assert files(tmp_path, "build/gen.py", "migrations/m.py", "ok.py", **settings) == \
        ["build/gen.py", "migrations/m.py", "ok.py"]
    # pre-commit passes every changed file explicitly: exclusions must still hold, for parents too
    assert files(tmp_path, "build/gen.py", "migrations/m.py", "ok.py", force_exclude=True, **settings) == ["ok.py"]


def test_nonexistent_path_is_an_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="no/such.py"):
        files(tmp_path, "no/such.py")


def test_gitignore_excludes_files_and_directories(repo):
    (repo / ".gitignore").write_text("build/\n*_pb2.py\n/generated.py\n")
    make(repo, "app.py", "build/out.py", "api_pb2.py", "pkg/more_pb2.py", "generated.py", "pkg/generated.py",
         "pkg/build.py")
    assert files(repo, exclude=()) == ["app.py", "pkg/build.py", "pkg/generated.py"]


def test_nested_gitignore_applies_to_its_directory_and_can_reinclude(repo):
    (repo / ".gitignore").write_text("*.gen.py\nscratch.py\n")
    (repo / "pkg").mkdir()
    (repo / "pkg" / ".gitignore").write_text("local_*.py\n!scratch.py\n")
    make(repo, "local_a.py", "scratch.py", "x.gen.py", "pkg/local_b.py", "pkg/scratch.py", "pkg/y.gen.py", "pkg/ok.py")
    assert files(repo) == ["local_a.py", "pkg/ok.py", "pkg/scratch.py"]


def test_gitignore_above_the_searched_directory_applies(repo):
    (repo / ".gitignore").write_text("secret/\n")
    make(repo, "src/secret/s.py", "src/app.py")
    assert files(repo, "src") == ["src/app.py"]


def test_git_info_exclude_is_honoured(repo):
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "exclude").write_text("mine.py\n")
    make(repo, "mine.py", "ours.py")
    assert files(repo) == ["ours.py"]


def test_gitignore_of_the_work_tree_applies_to_a_project_in_a_subdirectory(repo, monkeypatch):
    (repo / ".gitignore").write_text("out/\n")
    make(repo, "service/out/x.py", "service/app.py")
    monkeypatch.chdir(repo / "service")
    assert discover(["."], Settings(root=str(repo / "service"))) == ["app.py"]


def test_respect_gitignore_false_lints_ignored_files(repo):
    (repo / ".gitignore").write_text("ignored.py\n")
    make(repo, "ignored.py")
    assert files(repo, respect_gitignore=False) == ["ignored.py"]


def test_force_exclude_applies_gitignore_to_explicit_files(repo):
    (repo / ".gitignore").write_text("vendor/\n")
    make(repo, "vendor/lib/v.py", "app.py")
    assert files(repo, "vendor/lib/v.py", "app.py") == ["app.py", "vendor/lib/v.py"]
    assert files(repo, "vendor/lib/v.py", "app.py", force_exclude=True) == ["app.py"]


def test_force_exclude_never_excludes_the_project_root_itself(tmp_path, monkeypatch):
    root = tmp_path / "build"  # a project checked out in a directory with an excluded name
    make(root, "app.py")
    monkeypatch.chdir(root)
    assert files(root, ".", force_exclude=True) == ["app.py"]
    assert files(root, "app.py", force_exclude=True) == ["app.py"]


def test_an_ignored_directory_named_explicitly_is_searched(repo):
    (repo / ".gitignore").write_text("/corpus/\n")
    make(repo, "app.py", "corpus/lib/a.py", "corpus/lib/b_gen.py")
    (repo / "corpus" / ".gitignore").write_text("*_gen.py\n")
    assert files(repo) == ["app.py"]
    assert files(repo, "corpus") == ["corpus/lib/a.py"]  # its own .gitignore still applies
    assert files(repo, "corpus", force_exclude=True) == []
