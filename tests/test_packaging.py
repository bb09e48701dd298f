"""What a maintainer reads about the package agrees with the package."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_license_file_is_the_license_pyproject_declares() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and "Permission is hereby granted" in text


LOCKFILES = ("requirements.lock", "requirements-dev.lock", "requirements-build.lock")


def pins(lockfile: str) -> dict[str, list[str]]:
    """Each pinned package of a `uv pip compile --generate-hashes` file and its hashes."""
    found: dict[str, list[str]] = {}
    current = None
    for line in (ROOT / lockfile).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#")):
            current = line.split(" ")[0]
            found[current] = []
        elif line.strip().startswith("--hash=sha256:") and current is not None:
            found[current].append(line.strip())
    return found


def test_every_locked_package_carries_hashes() -> None:
    for lockfile in LOCKFILES:
        locked = pins(lockfile)
        assert locked, lockfile
        assert [name for name, hashes in locked.items() if not hashes] == [], lockfile


def test_pip_and_the_build_backend_are_pinned_where_pyproject_says() -> None:
    build_system = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [backend] = build_system["build-system"]["requires"]
    assert backend.startswith("hatchling==")
    build = pins("requirements-build.lock")
    assert backend in build and any(name.startswith("pip==") for name in build)


def test_the_makefile_installs_every_lockfile_by_hash() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "HASHED := --quiet --require-hashes --no-deps" in makefile
    for lockfile in LOCKFILES:
        assert f"install $(HASHED) -r {lockfile}" in makefile
    assert "--no-build-isolation -e ." in makefile, "the project is built by the pinned backend"
