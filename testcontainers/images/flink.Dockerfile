# abload/flink:<version> — the runtime bundle's Flink cluster classpath on abload/jre:17.
# No entrypoint: the environment runs `java ... -cp '/opt/flink/lib/*' <main class>`.
# Built by build.sh from a context holding lib/*.jar; FROM is local, nothing is pulled.
FROM abload/jre:17
COPY lib/ /opt/flink/lib/
RUN set -eux; \
    mkdir -p /opt/flink/conf /opt/flink/log /tmp; \
    chmod 0777 /opt/flink/conf /opt/flink/log; \
    chmod 1777 /tmp
WORKDIR /opt/flink
