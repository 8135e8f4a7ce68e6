# relaycast's images. Two targets, both on Debian bookworm:
#   app (the default): Node 20 + Debian's ffmpeg; runs `relaycast setup | relay | start` as user relaycast.
#   icecast: Debian's icecast2 package (2.4.4), the very build the test suite runs natively, and icecast-run.
# docker compose builds both (see docker-compose.yml); `docker build .` builds the app.

# Node >= 20.19 (package.json engines). Pinned to a release; bump it deliberately, as a dependency.
ARG NODE_IMAGE=node:20.20.0-bookworm-slim
ARG DEBIAN_IMAGE=debian:12.11-slim

# The group that owns the shared secrets and config volumes: the relaycast user's, and Icecast's user joins it.
ARG APP_UID=10001
ARG APP_GID=10001

# ---- build: compile TypeScript with the dev dependencies, which stay behind ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json ./
COPY scripts/bundle-cli.mjs ./scripts/
COPY src ./src
# Only src/: the tests and benchmarks are not part of the image. The command line is then bundled, as by
# `npm run build` (scripts/bundle-cli.mjs: dist/src/cli/main.js and dist/src/cli-chunks/).
RUN echo '{ "extends": "./tsconfig.json", "include": ["src"] }' > tsconfig.image.json \
 && npx tsc -p tsconfig.image.json \
 && node scripts/bundle-cli.mjs

# ---- icecast: Debian's icecast2, run unprivileged with a config that `relaycast setup` renders ----
# Nothing of relaycast's app goes in here (no Node, no src/): an upgrade of relaycast leaves this image as it
# is, so `docker compose up -d` neither rebuilds nor restarts Icecast, and no listener is dropped. Only
# icecast-run comes from this repository: a POSIX sh script that reloads Icecast when its config changes.
FROM ${DEBIAN_IMAGE} AS icecast
ARG APP_GID
# curl is for the healthcheck only (icecast2 already depends on libcurl). media-types gives Icecast its MIME table.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends icecast2 curl media-types \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid ${APP_GID} relaycast \
 && usermod --append --groups relaycast icecast2
# icecast2 -c FILE, sent SIGHUP whenever `relaycast icecast-config` rewrites FILE (station mounts from Redis).
COPY deploy/icecast/icecast-run /usr/local/bin/icecast-run
RUN chmod 0755 /usr/local/bin/icecast-run
# The package's user; its membership of group relaycast lets it read the rendered config (mode 0640).
USER icecast2
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["curl", "--fail", "--silent", "--show-error", "--output", "/dev/null", "http://127.0.0.1:8000/status-json.xsl"]
# Foreground (icecast-run keeps Icecast as its child, forwards SIGTERM and ends with its exit status); logs go
# to stderr ("-" in the rendered config). Icecast refuses to run as root: it does not here.
CMD ["icecast-run", "/config/icecast.xml"]

# ---- app: the relaycast command line, production dependencies only ----
FROM ${NODE_IMAGE} AS app
ARG APP_UID
ARG APP_GID
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid ${APP_GID} relaycast \
 && useradd --uid ${APP_UID} --gid relaycast --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin relaycast
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
# The template `relaycast setup` renders (found next to the package: /app/icecast.xml).
COPY icecast.xml ./
# The station page's HTML/CSS/JS, served by `relaycast web` as they are (no build step).
COPY src/web/static ./src/web/static
# `relaycast` and `relaycast-healthcheck` on the PATH, so `docker compose exec worker relaycast now` works.
# The mount points of the compose volumes belong to the services' user: Docker copies a folder's owner
# into a new named volume mounted over it, so the volumes start out writable for relaycast.
RUN chmod 0755 dist/src/cli/main.js dist/src/setup/healthcheck-main.js \
 && ln -s /app/dist/src/cli/main.js /usr/local/bin/relaycast \
 && ln -s /app/dist/src/setup/healthcheck-main.js /usr/local/bin/relaycast-healthcheck \
 && mkdir -p /secrets /config /music /var/cache/relaycast \
 && chown relaycast:relaycast /secrets /config /var/cache/relaycast \
 && chmod 0750 /secrets /config
USER relaycast
# relay: GET /healthz answers; start: every station's mount is on air at Icecast (see src/setup/healthcheck.ts).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["relaycast-healthcheck"]
CMD ["relaycast", "start"]
