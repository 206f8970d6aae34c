# Dockside in a container (docker-compose.yml runs it with PostgreSQL and Redis).
# CI checks this file's shape but cannot build it: no registry is reachable there, so the
# python and node base images cannot be pulled. Build it where they can:
#   docker compose build
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

# Front-end files from npm (xterm.js, the terminal's font), never from a CDN.
FROM ${NODE_IMAGE} AS vendor
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM ${PYTHON_IMAGE}
# The Compose tool for stacks (v1 speaks the Engine API itself: no docker CLI needed), and
# the ssh client that ssh:// engines are reached through.
RUN apt-get update \
    && apt-get install -y --no-install-recommends docker-compose openssh-client \
    && rm -rf /var/lib/apt/lists/*
# A user of its own, not root. It reaches the engine through the socket's group, given
# at run time (group_add in docker-compose.yml): the socket is root-equivalent anyway.
RUN useradd --system --uid 10001 --home-dir /data --create-home dockside
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DOCKSIDE_DATA_DIR=/data
COPY pyproject.toml README.md manage.py ./
COPY access ./access
COPY audit ./audit
COPY containers_app ./containers_app
COPY dashboard ./dashboard
COPY engines ./engines
COPY registries ./registries
COPY stacks ./stacks
COPY templates ./templates
COPY static ./static
COPY --from=vendor /build/node_modules/@xterm/xterm/lib/xterm.js /build/node_modules/@xterm/xterm/lib/xterm.js.map /build/node_modules/@xterm/xterm/css/xterm.css /build/node_modules/@xterm/addon-fit/lib/addon-fit.js /build/node_modules/@xterm/addon-fit/lib/addon-fit.js.map ./static/vendor/xterm/
COPY --from=vendor /build/node_modules/@fontsource/dejavu-mono/400.css /build/node_modules/@fontsource/dejavu-mono/700.css /build/node_modules/@fontsource/dejavu-mono/LICENSE ./static/vendor/dejavu-mono/
COPY --from=vendor /build/node_modules/@fontsource/dejavu-mono/files/dejavu-mono-latin-400-normal.woff2 /build/node_modules/@fontsource/dejavu-mono/files/dejavu-mono-latin-400-normal.woff /build/node_modules/@fontsource/dejavu-mono/files/dejavu-mono-latin-700-normal.woff2 /build/node_modules/@fontsource/dejavu-mono/files/dejavu-mono-latin-700-normal.woff ./static/vendor/dejavu-mono/files/
RUN pip install --no-cache-dir . \
    && SECRET_KEY=build-only DOCKSIDE_DATA_DIR=/tmp/build python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/build
USER dockside
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
# Migrations first (an upgrade applies its own), then DOCKSIDE_WORKERS Daphne processes.
CMD ["sh", "-c", "python manage.py migrate --noinput && exec python manage.py serve --bind 0.0.0.0 --port 8000 --workers ${DOCKSIDE_WORKERS:-1}"]
