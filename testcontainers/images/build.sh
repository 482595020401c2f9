#!/usr/bin/env bash
# Builds the local Docker images for `--env docker` on hosts that reach no image
# registry: nothing is pulled, every layer is made here.
#
# Usage: testcontainers/images/build.sh [RUNTIME_DIR]    (`make images` runs it
# with build/runtime after `make runtime`). Needs a reachable Docker daemon, and,
# for the base image only, root and debootstrap.
#
#   abload/debian:bookworm   debootstrap --variant=minbase from the host's Debian
#                            mirror (first bookworm `deb` source in /etc/apt, or
#                            $ABLOAD_DEBIAN_MIRROR), then `docker import`.
#   abload/jre:17            + openjdk-17-jre-headless, ca-certificates (jre.Dockerfile)
#   abload/flink:<flink>     + RUNTIME_DIR/flink/lib/*.jar in /opt/flink/lib (flink.Dockerfile)
#   abload/kafka:<kafka>     + RUNTIME_DIR/kafka/lib/*.jar in /opt/kafka/libs (kafka.Dockerfile)
#
# Versions come from RUNTIME_DIR/versions.properties (flink.version, kafka.version).
# Labels on the flink and kafka images: org.abload.kafka.version (the broker's,
# the same in every line), org.abload.flink.version (the flink image only: the
# broker's image is shared by the lines, so switching lines does not rebuild
# it), and org.abload.bundle.digest = the sha256 (hex) of
# the lines "<jar file name> <sha256 hex of the jar>\n", sorted with LC_ALL=C,
# over the jars of that image's lib dir. Each step is skipped when its image is
# up to date: the base when it exists; the others when their labels match (bundle
# digest, versions, the Dockerfile's sha256 and the parent image's id), so a new
# bundle, recipe or parent yields fresh images. Replaced images are removed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runtime="${1:-build/runtime}"
export DOCKER_BUILDKIT=0 # the classic builder: no frontend image to pull

BASE=abload/debian:bookworm
JRE=abload/jre:17

say() { echo "images: $*"; }
die() { echo "images: error: $*" >&2; exit 1; }

tmp=""
bootstrap_pid="" # debootstrap runs in its own session: this is its id
cleanup() {
  # Interrupted during debootstrap: stop it and everything it started (dpkg in
  # the chroot), or they keep writing into the directory being removed.
  if [ -n "$bootstrap_pid" ] && kill -TERM -- "-$bootstrap_pid" 2>/dev/null; then
    sleep 1
    kill -KILL -- "-$bootstrap_pid" 2>/dev/null || true
  fi
  [ -n "$tmp" ] && [ -d "$tmp" ] || return 0
  # debootstrap mounts proc/sys in its target and unmounts them itself, unless
  # it was killed: unmount whatever is left (deepest first) before removing.
  local m
  awk -v p="$tmp/" 'index($2, p) == 1 { print $2 }' /proc/mounts 2>/dev/null | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$tmp" 2>/dev/null || { sleep 1; rm -rf --one-file-system "$tmp"; }
}
trap cleanup EXIT
trap 'echo "images: interrupted" >&2; exit 130' INT
trap 'echo "images: terminated" >&2; exit 143' TERM

# --- checks ------------------------------------------------------------------
command -v docker >/dev/null 2>&1 || die "docker is not installed (install the Docker engine and client, see .ci/run)"
docker info >/dev/null 2>&1 ||
  die "docker is not reachable (docker info failed): start dockerd, e.g. as root: nohup dockerd > /var/log/dockerd.log 2>&1 &"
[ -f "$runtime/versions.properties" ] || die "$runtime/versions.properties missing: run make runtime first"
for d in "$runtime/flink/lib" "$runtime/kafka/lib"; do
  compgen -G "$d/*.jar" >/dev/null || die "no jars in $d: run make runtime first"
done

prop() {
  local v
  v="$(sed -n "s/^$1=//p" "$runtime/versions.properties" | tail -n 1 | tr -d '[:space:]')"
  [ -n "$v" ] || die "$1 missing in $runtime/versions.properties"
  printf '%s' "$v"
}
flink_version="$(prop flink.version)"
kafka_version="$(prop kafka.version)"
FLINK="abload/flink:$flink_version"
KAFKA="abload/kafka:$kafka_version"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/abload-images.XXXXXX")"

# --- helpers -----------------------------------------------------------------
image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
label() { docker image inspect -f "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true; }
file_sha() { sha256sum "$1" | cut -d' ' -f1; }

# The bundle digest of a lib dir (see the header).
bundle_digest() {
  (cd "$1" && sha256sum -- *.jar) | sed -E 's/^([0-9a-f]{64}) [ *](.*)$/\2 \1/' |
    LC_ALL=C sort | sha256sum | cut -d' ' -f1
}

# The first `deb` URI of a Debian suite in the host's apt sources (one-line and
# deb822 formats; disabled entries and other file names ignored).
apt_uri() {
  local suite="$1" f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v s="$suite" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == s) { print $i; exit }
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v s="$suite" '
      BEGIN { RS = "" }
      {
        types = ""; uris = ""; suites = ""; enabled = "yes"
        n = split($0, lines, "\n")
        for (j = 1; j <= n; j++) {
          line = lines[j]
          if (line ~ /^[ \t#]/ || index(line, ":") == 0) continue
          k = tolower(substr(line, 1, index(line, ":") - 1))
          v = " " substr(line, index(line, ":") + 1) " "
          gsub(/[ \t]+/, " ", v)
          if (k == "types") types = v; else if (k == "uris") uris = v
          else if (k == "suites") suites = v; else if (k == "enabled") enabled = tolower(v)
        }
        if (enabled !~ /no/ && index(types, " deb ") && index(suites, " " s " ")) {
          split(uris, u, " "); print u[1]; exit
        }
      }' "$f"
  done
}

# docker build with labels; output kept in a log shown only on failure.
# Replaced image ids are collected and removed at the end.
replaced=()
build() { # NAME DOCKERFILE CONTEXT [docker build args...]
  local name="$1" dockerfile="$2" ctx="$3" old log
  shift 3
  old="$(image_id "$name")"
  cp "$dockerfile" "$ctx/Dockerfile"
  log="$tmp/build-${name//[\/:]/_}.log"
  if ! docker build --rm --force-rm -t "$name" "$@" "$ctx" >"$log" 2>&1; then
    tail -n 40 "$log" | sed 's/^/images:   | /' >&2
    die "docker build of $name failed"
  fi
  [ -z "$old" ] || [ "$old" = "$(image_id "$name")" ] || replaced+=("$old")
}

elapsed() { echo "$((SECONDS - $1))s"; }

# --- a. base -----------------------------------------------------------------
t=$SECONDS
if [ -n "$(image_id "$BASE")" ]; then
  say "$BASE exists, skipped"
else
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed (Debian: apt-get install debootstrap); it builds $BASE"
  [ "$(id -u)" -eq 0 ] || die "building $BASE with debootstrap needs root"
  mirror="${ABLOAD_DEBIAN_MIRROR:-$(apt_uri bookworm | head -n 1)}"
  [ -n "$mirror" ] || die "no Debian bookworm mirror in /etc/apt sources: set ABLOAD_DEBIAN_MIRROR"
  security="${ABLOAD_DEBIAN_SECURITY_MIRROR:-$(apt_uri bookworm-security | head -n 1)}"
  say "$BASE: debootstrap --variant=minbase bookworm from $mirror"
  root="$tmp/rootfs"
  mkdir "$root"
  set +m # no job control: the background child is no group leader, so setsid does not fork
  setsid -w debootstrap --variant=minbase bookworm "$root" "$mirror" >"$tmp/debootstrap.log" 2>&1 &
  bootstrap_pid=$!
  if ! wait "$bootstrap_pid"; then
    tail -n 40 "$tmp/debootstrap.log" | sed 's/^/images:   | /' >&2
    die "debootstrap failed"
  fi
  bootstrap_pid=""
  {
    echo "deb $mirror bookworm main"
    echo "deb $mirror bookworm-updates main"
    [ -z "$security" ] || echo "deb $security bookworm-security main"
  } >"$root/etc/apt/sources.list"
  # The host's resolver and name are not the image's (Docker supplies both).
  : >"$root/etc/resolv.conf"
  rm -f "$root/etc/hostname"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/bootstrap.log
  tar --numeric-owner --one-file-system -C "$root" -c . |
    docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' \
      --change 'CMD ["bash"]' \
      --message "debootstrap --variant=minbase bookworm" \
      - "$BASE" >/dev/null
  rm -rf --one-file-system "$root"
  say "$BASE built in $(elapsed "$t")"
fi
base_id="$(image_id "$BASE")"

# --- b. JRE ------------------------------------------------------------------
t=$SECONDS
jre_recipe="$(file_sha "$here/jre.Dockerfile")"
if [ -n "$(image_id "$JRE")" ] &&
  [ "$(label "$JRE" org.abload.parent.id)" = "$base_id" ] &&
  [ "$(label "$JRE" org.abload.recipe.digest)" = "$jre_recipe" ]; then
  say "$JRE up to date, skipped"
else
  arch="$(dpkg --print-architecture 2>/dev/null || docker image inspect -f '{{.Architecture}}' "$BASE")"
  say "$JRE: apt-get install openjdk-17-jre-headless ($arch)"
  ctx="$tmp/jre"
  mkdir "$ctx"
  build "$JRE" "$here/jre.Dockerfile" "$ctx" \
    --build-arg "DEBIAN_ARCH=$arch" \
    --label "org.abload.parent.id=$base_id" \
    --label "org.abload.recipe.digest=$jre_recipe"
  rm -rf "$ctx"
  say "$JRE built in $(elapsed "$t")"
fi
jre_id="$(image_id "$JRE")"

# --- c, d. Flink and Kafka ---------------------------------------------------
# FLINK_LABEL: the Flink version the image is labelled with; empty for the
# broker's image, which every Flink line shares (switching lines does not
# rebuild it).
bundle_image() { # NAME DOCKERFILE LIBDIR FLINK_LABEL
  local name="$1" dockerfile="$2" lib="$3" flink_label="$4" t=$SECONDS digest recipe ctx
  digest="$(bundle_digest "$lib")"
  recipe="$(file_sha "$dockerfile")"
  if [ -n "$(image_id "$name")" ] &&
    [ "$(label "$name" org.abload.bundle.digest)" = "$digest" ] &&
    [ "$(label "$name" org.abload.flink.version)" = "$flink_label" ] &&
    [ "$(label "$name" org.abload.kafka.version)" = "$kafka_version" ] &&
    [ "$(label "$name" org.abload.parent.id)" = "$jre_id" ] &&
    [ "$(label "$name" org.abload.recipe.digest)" = "$recipe" ]; then
    say "$name up to date (bundle digest ${digest:0:12}), skipped"
    return 0
  fi
  say "$name: $(ls "$lib"/*.jar | wc -l) jars from $lib (bundle digest ${digest:0:12})"
  ctx="$tmp/ctx-${name//[\/:]/_}"
  mkdir -p "$ctx/lib"
  cp -l "$lib"/*.jar "$ctx/lib/" 2>/dev/null || cp "$lib"/*.jar "$ctx/lib/"
  local flink_opt=()
  [ -z "$flink_label" ] || flink_opt=(--label "org.abload.flink.version=$flink_label")
  build "$name" "$dockerfile" "$ctx" ${flink_opt[@]+"${flink_opt[@]}"} \
    --label "org.abload.kafka.version=$kafka_version" \
    --label "org.abload.bundle.digest=$digest" \
    --label "org.abload.parent.id=$jre_id" \
    --label "org.abload.recipe.digest=$recipe"
  rm -rf "$ctx"
  say "$name built in $(elapsed "$t")"
}
bundle_image "$FLINK" "$here/flink.Dockerfile" "$runtime/flink/lib" "$flink_version"
bundle_image "$KAFKA" "$here/kafka.Dockerfile" "$runtime/kafka/lib" ""

# --- replaced images, summary ------------------------------------------------
# Newest first, so children go before their parents; an image still tagged
# elsewhere or used by a container is left alone.
for ((i = ${#replaced[@]} - 1; i >= 0; i--)); do
  id="${replaced[$i]}"
  [ "$(docker image inspect -f '{{len .RepoTags}}' "$id" 2>/dev/null || echo 1)" = 0 ] || continue
  docker image rm "$id" >/dev/null 2>&1 && say "removed the replaced image ${id#sha256:}" || true
done
for name in "$BASE" "$JRE" "$FLINK" "$KAFKA"; do
  docker image ls --format "images: {{.Repository}}:{{.Tag}} {{.Size}}" "$name"
done
