# abload/jre:17 — Debian's OpenJDK 17 headless JRE on the debootstrapped base.
# Built by build.sh; FROM is a local image, nothing is pulled.
FROM abload/debian:bookworm
# Debian architecture of the base (amd64, arm64, ...): the JRE's directory name.
ARG DEBIAN_ARCH=amd64
ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-${DEBIAN_ARCH} \
    LANG=C.UTF-8
ENV PATH=${JAVA_HOME}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN set -eux; \
    export DEBIAN_FRONTEND=noninteractive; \
    apt-get update -q; \
    apt-get install -y -q --no-install-recommends openjdk-17-jre-headless ca-certificates; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt/* /var/log/dpkg.log; \
    test -x "$JAVA_HOME/bin/java"; \
    test "$(readlink -f "$(command -v java)")" = "$JAVA_HOME/bin/java"; \
    java -version
