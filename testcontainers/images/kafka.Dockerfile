# abload/kafka:<version> — the runtime bundle's Kafka broker classpath on abload/jre:17.
# No entrypoint: the environment runs `java ... -cp '/opt/kafka/libs/*' kafka.Kafka <props>`.
# Built by build.sh from a context holding lib/*.jar; FROM is local, nothing is pulled.
FROM abload/jre:17
COPY lib/ /opt/kafka/libs/
RUN set -eux; \
    mkdir -p /opt/kafka/config /var/lib/kafka/data /tmp; \
    chmod 0777 /opt/kafka/config /var/lib/kafka/data; \
    chmod 1777 /tmp
WORKDIR /opt/kafka
