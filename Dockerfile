# syntax=docker/dockerfile:1
# Image for `chatwork-safe-bot run`; see docs/hosting.md for build, run and compose.
#
# Build stage: dependencies from the lockfile, then the project's own wheel, into /opt/venv.
# Only the files named below enter the build: never `.env`, never `data/`.
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src

# Every package is installed by hash. pip and the build backend (hatchling) come first, into a
# venv of their own that stays in this stage; pip is the pinned one from here on.
COPY requirements-build.lock ./
RUN python -m venv /opt/build \
    && /opt/build/bin/python -m pip install --require-hashes --no-deps -r requirements-build.lock
ENV PATH=/opt/build/bin:$PATH

# The runtime venv gets the lockfile alone first, so the dependency layer stays cached while
# the code changes.
RUN python -m venv --without-pip /opt/venv
COPY requirements.lock ./
RUN pip --python /opt/venv/bin/python install --require-hashes --no-deps -r requirements.lock

# The wheel bundles knowledge/ as bot/knowledge_data (pyproject's force-include); it is built
# with the pinned hatchling above, nothing fetched.
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY knowledge ./knowledge
RUN pip wheel --no-deps --no-build-isolation --wheel-dir /tmp/wheels . \
    && pip --python /opt/venv/bin/python install --no-deps /tmp/wheels/*.whl

# Runtime stage: the venv only, run by an unprivileged user with a fixed UID.
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DATA_DIR=/data \
    CACHE_DIR=/data/cache

# /data is created owned by the bot user, so a new named volume mounted there inherits it; the
# knowledge's analysed texts are cached in /data/cache (the root filesystem is read-only).
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin bot \
    && mkdir /data \
    && chown bot:bot /data

COPY --from=build /opt/venv /opt/venv

USER 10001:10001
WORKDIR /data
VOLUME /data

# Knowledge is baked in; to replace it, mount a directory and set KNOWLEDGE_DIR to it.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["chatwork-safe-bot", "health"]

ENTRYPOINT ["chatwork-safe-bot"]
CMD ["run"]
