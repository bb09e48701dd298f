"""Hosting files: Dockerfile, .dockerignore, compose.yaml, .env.example and the wheel's knowledge.

Docker may not be available where the tests run, so the Dockerfile is parsed and checked here
rather than built.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from bot.core import knowledge as knowledge_module
from bot.logging_setup import redact
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CLI = "chatwork-safe-bot"

# ---------------------------------------------------------------- a small Dockerfile parser


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    line: int

    def words(self) -> list[str]:
        """Exec-form JSON arrays as given, shell form split like a shell would."""
        text = self.args.strip()
        if text.startswith("["):
            try:
                return [str(word) for word in json.loads(text)]
            except json.JSONDecodeError:
                pass
        return shlex.split(text)


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def of(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def parse_instructions(text: str) -> list[Instruction]:
    """Instructions with backslash continuations joined; comments and blank lines dropped.

    Comment lines inside a continued instruction are skipped, as Docker does.
    """
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        joined = " ".join(part for part in pending if part)
        pending = []
        keyword, _, args = joined.partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
    assert not pending, "the Dockerfile ends inside a continued instruction"
    return instructions


def parse_stages(instructions: list[Instruction]) -> list[Stage]:
    stages: list[Stage] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            words = [w for w in instruction.words() if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(words[0], name))
        elif stages:
            stages[-1].instructions.append(instruction)
        else:
            assert instruction.keyword == "ARG", f"{instruction.keyword} before the first FROM"
    return stages


def copy_parts(instruction: Instruction) -> tuple[dict[str, str], list[str], str]:
    """(flags such as --from, sources, destination) of a COPY or ADD."""
    words = instruction.words()
    flags = {}
    while words and words[0].startswith("--"):
        key, _, value = words.pop(0)[2:].partition("=")
        flags[key] = value
    return flags, words[:-1], words[-1]


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse_stages(parse_instructions((ROOT / "Dockerfile").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def final(stages) -> Stage:
    return stages[-1]


def context_copies(stages: list[Stage]) -> list[tuple[Instruction, list[str]]]:
    """COPY/ADD instructions that read from the build context (not from another stage)."""
    found = []
    for stage in stages:
        for instruction in stage.of("COPY") + stage.of("ADD"):
            flags, sources, _ = copy_parts(instruction)
            if "from" not in flags:
                found.append((instruction, sources))
    return found


def test_parser_joins_continuations_and_splits_stages():
    text = (
        "ARG V=3.11\n"
        "FROM python:${V}-slim AS build\n"
        "# a comment\n"
        "RUN a \\\n"
        "    # skipped inside a continuation\n"
        "    && b\n"
        "FROM --platform=linux/amd64 python:3.11-slim\n"
        'CMD ["run", "--x"]\n'
    )
    stages = parse_stages(parse_instructions(text))
    assert [(s.base, s.name) for s in stages] == [
        ("python:${V}-slim", "build"),
        ("python:3.11-slim", None),
    ]
    assert stages[0].of("RUN")[0].args == "a && b"
    assert stages[0].of("RUN")[0].line == 4
    assert stages[1].of("CMD")[0].words() == ["run", "--x"]


def test_multi_stage_on_slim_python_311(stages):
    assert len(stages) >= 2
    for stage in stages:
        assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", stage.base), stage.base
    assert stages[0].name, "the build stage is named so the final stage can copy from it"


def test_final_stage_copies_only_the_venv_from_the_build_stage(stages, final):
    copies = final.of("COPY") + final.of("ADD")
    assert copies, "the final stage copies the built venv"
    build_names = {s.name for s in stages[:-1]}
    for instruction in copies:
        flags, sources, _ = copy_parts(instruction)
        assert flags.get("from") in build_names, f"line {instruction.line}: not from a build stage"
        assert sources == ["/opt/venv"], f"line {instruction.line}: copies more than the venv"


def test_final_stage_runs_as_a_fixed_non_root_user_before_start(final):
    users = final.of("USER")
    assert users, "the final stage has no USER: the bot would run as root"
    user = users[-1].args.split(":")[0]
    assert user not in ("root", "0")
    assert user.isdigit() and int(user) >= 1000, "a fixed numeric UID (works with runAsNonRoot)"
    for keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
        for instruction in final.of(keyword):
            assert instruction.line > users[-1].line, f"{keyword} before USER"
    created = " ".join(i.args for i in final.of("RUN"))
    assert f"--uid {user}" in created, "the UID is created in the image"


def test_healthcheck_runs_the_health_command(final):
    (check,) = final.of("HEALTHCHECK")
    match = re.fullmatch(r"(?P<options>(?:--\S+\s+)*)CMD\s+(?P<command>.+)", check.args)
    assert match, "HEALTHCHECK without CMD"
    command = Instruction("CMD", match["command"], check.line).words()
    if len(command) == 1:  # CMD ["a b"]
        command = shlex.split(command[0])
    assert command[:2] == [CLI, "health"]


def test_entrypoint_and_default_command(final):
    assert final.of("ENTRYPOINT")[-1].words() == [CLI]
    assert final.of("CMD")[-1].words() == ["run"]


def test_environment_and_data_volume(final):
    env = " ".join(i.args for i in final.of("ENV"))
    for setting in ("PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1", "DATA_DIR=/data"):
        assert setting in env
    assert "KNOWLEDGE_DIR" not in env, "the baked-in knowledge is the default"
    assert any("/data" in i.words() for i in final.of("VOLUME"))


def test_dependencies_come_from_the_lockfile_by_hash(stages):
    build = stages[0]
    installs = [i for i in build.of("RUN") if "pip install" in i.args or " install " in i.args]
    locked = [i for i in installs if "-r requirements" in i.args]
    assert {"-r requirements.lock", "-r requirements-build.lock"} <= {
        word for i in locked for word in re.findall(r"-r requirements[\w.-]*", i.args)
    }
    assert all("--require-hashes" in i.args for i in locked)
    assert all("-e " not in i.args for i in installs)
    assert any(
        "pip wheel --no-deps --no-build-isolation" in i.args and "install --no-deps" in i.args
        for i in build.of("RUN")
    ), "the project is built by the pinned hatchling and installed without resolving again"
    lock_copy = next(i for i, sources in context_copies(stages) if "requirements.lock" in sources)
    first_install = next(i for i in installs if "-r requirements.lock" in i.args)
    assert lock_copy.line < first_install.line


def test_nothing_secret_or_local_is_copied(stages):
    copies = context_copies(stages)
    assert copies
    for instruction, sources in copies:
        for source in sources:
            clean = os.path.normpath(source)
            assert clean not in (".", "/", "*"), (
                f"line {instruction.line}: copies the whole context"
            )
            assert "*" not in clean, f"line {instruction.line}: wildcard source {source}"
            first = Path(clean).parts[0]
            assert not first.startswith(".env"), f"line {instruction.line}: copies {source}"
            assert first != "data", f"line {instruction.line}: copies {source}"


def test_every_copied_path_exists(stages):
    for instruction, sources in context_copies(stages):
        for source in sources:
            assert (ROOT / source).exists(), f"line {instruction.line}: {source} is not in the repo"


# ---------------------------------------------------------------- .dockerignore


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule, simplified: the last matching pattern wins, `!` re-includes, a match on a
    parent directory excludes everything below it."""
    parts = Path(path).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        clean = os.path.normpath(pattern.lstrip("!").strip("/"))
        for candidate in candidates:
            plain = fnmatch.fnmatchcase(candidate, clean)
            anywhere = clean.startswith("**/") and fnmatch.fnmatchcase(
                candidate.rsplit("/", 1)[-1], clean[3:]
            )
            if plain or anywhere:
                excluded = not negate
                break
    return excluded


@pytest.fixture(scope="module")
def ignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".env.local",
        "data",
        "data/chatwork-safe-bot.sqlite3",
        ".venv/bin/python",
        ".git/HEAD",
        "bot/__pycache__/cli.cpython-311.pyc",
        "config/.env",
    ],
)
def test_dockerignore_excludes_secrets_state_and_caches(ignore_patterns, path):
    assert dockerignored(path, ignore_patterns)


@pytest.mark.parametrize(
    "path", ["pyproject.toml", "README.md", "requirements.lock", "bot/cli.py", "knowledge/faq.yaml"]
)
def test_dockerignore_keeps_what_the_build_needs(ignore_patterns, path):
    assert not dockerignored(path, ignore_patterns)


# ---------------------------------------------------------------- compose.yaml


def test_compose_example_has_env_file_and_data_volume():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    (service,) = compose["services"].values()
    assert service["build"]["context"] == "."
    env_files = service["env_file"]
    assert ".env" in ([env_files] if isinstance(env_files, str) else env_files)
    assert service["restart"] == "unless-stopped"
    mounts = [volume.split(":") for volume in service["volumes"]]
    named = [source for source, target, *_ in mounts if target == "/data"]
    assert named and named[0] in compose["volumes"], "a named volume at /data"
    assert "DISCORD_TOKEN" not in json.dumps(service), "the token comes from the env file only"


def test_compose_example_is_hardened():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    (service,) = compose["services"].values()
    assert service["init"] is True
    assert service["read_only"] is True
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]
    assert [entry.split(":")[0] for entry in service["tmpfs"]] == ["/tmp"]
    writable = [volume for volume in service["volumes"] if not volume.endswith(":ro")]
    assert [volume.split(":")[1] for volume in writable] == ["/data"]


# ---------------------------------------------------------------- .env.example

ENV_LINE = re.compile(r"^(?P<commented>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


@pytest.fixture(scope="module")
def env_example() -> list[tuple[str, str, bool, str]]:
    """(name, value, active, comment above) for each setting line."""
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    found = []
    for index, line in enumerate(lines):
        match = ENV_LINE.match(line.strip())
        if match:
            above = lines[index - 1].strip() if index else ""
            found.append((match["name"], match["value"], not match["commented"], above))
    return found


def setting_env_names() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def test_env_example_names_every_setting(env_example):
    names = [name for name, *_ in env_example]
    assert len(names) == len(set(names)), "a setting is listed twice"
    missing = setting_env_names() - set(names)
    assert not missing, f"add these settings to .env.example: {sorted(missing)}"
    unknown = set(names) - setting_env_names()
    assert not unknown, f".env.example names settings that don't exist: {sorted(unknown)}"


def test_env_example_explains_each_setting_in_one_line(env_example):
    for name, _, _, above in env_example:
        assert above.startswith("#") and not ENV_LINE.match(above), f"{name} has no comment"


def test_env_example_holds_no_token(env_example):
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert redact(text) == text
    values = {name: value for name, value, *_ in env_example}
    assert values["DISCORD_TOKEN"] == ""


def clear_setting_env(monkeypatch) -> None:
    for name in list(os.environ):
        if name.upper() in setting_env_names():
            monkeypatch.delenv(name)


def test_env_example_as_is_is_a_valid_configuration(env_example, monkeypatch, tmp_path):
    """`cp .env.example .env` must not stop the bot with a validation error."""
    clear_setting_env(monkeypatch)
    for name, value, active, _ in env_example:
        if active:
            monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.knowledge_dir is None and settings.dev_guild_id is None


def test_env_example_values_are_valid_when_uncommented(env_example, monkeypatch):
    clear_setting_env(monkeypatch)
    for name, value, _, _ in env_example:
        if value:
            monkeypatch.setenv(name, value)
    Settings()


# ---------------------------------------------------------------- knowledge in the wheel

BUILD_FILES = ("pyproject.toml", "README.md", "LICENSE", "bot", "knowledge")
"""What the Dockerfile copies into its build stage, and nothing else."""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The project wheel, built like the Dockerfile does from a copy of just the build files.

    `pip wheel` fetches hatchling into an isolated build env; when hatchling is already
    importable, it is used directly (no network).
    """
    source = tmp_path_factory.mktemp("context")
    for name in BUILD_FILES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    out = tmp_path_factory.mktemp("wheels")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out)]
    try:
        import hatchling  # noqa: F401

        command.append("--no-build-isolation")
    except ImportError:
        pass
    try:
        result = subprocess.run(
            [*command, str(source)], capture_output=True, text=True, timeout=180, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.skip("building the wheel took over 3 minutes (package index unreachable?)")
    if result.returncode != 0:
        if "hatchling" in result.stderr and "No matching distribution" in result.stderr:
            pytest.skip("hatchling is not installed and the package index is unreachable")
        pytest.fail(f"pip wheel failed:\n{result.stderr}")
    (built,) = out.glob("chatwork_safe_bot-*.whl")
    return built


def test_wheel_bundles_every_knowledge_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "bot/knowledge_data/faq.yaml" in names
    for path in (ROOT / "knowledge").glob("*.yaml"):
        assert f"bot/knowledge_data/{path.name}" in names
    assert not any(name.startswith(("data/", ".env")) or "/.env" in name for name in names)


def test_installed_wheel_finds_and_loads_its_knowledge(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    script = (
        "from bot.core.knowledge import default_knowledge_dir, load_knowledge\n"
        "d = default_knowledge_dir()\n"
        "print(d)\n"
        "print(len(load_knowledge(d).faq))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "KNOWLEDGE_DIR"}
    env["PYTHONPATH"] = str(target)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    where, count = result.stdout.split()
    assert Path(where) == target / "bot" / "knowledge_data"
    assert int(count) > 0


def fake_package(tmp_path: Path, *, bundled: bool) -> Path:
    """A stand-in for an installed `bot` package (optionally with knowledge_data) next to a
    checkout's knowledge/; returns the path `bot.core.knowledge.__file__` would have."""
    (tmp_path / "knowledge").mkdir()
    (tmp_path / "bot" / "core").mkdir(parents=True)
    if bundled:
        (tmp_path / "bot" / "knowledge_data").mkdir()
    return tmp_path / "bot" / "core" / "knowledge.py"


def test_knowledge_lookup_prefers_the_override(tmp_path, monkeypatch):
    module_file = fake_package(tmp_path, bundled=True)
    monkeypatch.setattr(knowledge_module, "__file__", str(module_file))
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path / "mounted"))
    assert knowledge_module.default_knowledge_dir() == tmp_path / "mounted"


def test_knowledge_lookup_uses_the_bundled_copy(tmp_path, monkeypatch):
    module_file = fake_package(tmp_path, bundled=True)
    monkeypatch.setattr(knowledge_module, "__file__", str(module_file))
    monkeypatch.delenv("KNOWLEDGE_DIR", raising=False)
    assert knowledge_module.default_knowledge_dir() == tmp_path / "bot" / "knowledge_data"


def test_knowledge_lookup_falls_back_to_the_checkout(tmp_path, monkeypatch):
    module_file = fake_package(tmp_path, bundled=False)
    monkeypatch.setattr(knowledge_module, "__file__", str(module_file))
    monkeypatch.setenv("KNOWLEDGE_DIR", "")
    assert knowledge_module.default_knowledge_dir() == tmp_path / "knowledge"
