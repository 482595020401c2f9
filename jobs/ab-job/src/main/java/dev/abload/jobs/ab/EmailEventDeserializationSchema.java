package dev.abload.jobs.ab;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.util.Collector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Value-only Kafka deserializer that parses input records into {@link EmailEvent}s. Each
 * record is JSON or binary v1 (DESIGN.md), detected per record by its first byte
 * ({@link WireFormat#parseEvent}), so a run needs no encoding flag and a topic may even mix both.
 *
 * <p>Parsing happens here, inside the source, rather than in a separate operator so that the
 * {@link org.apache.flink.api.common.eventtime.WatermarkStrategy} given to {@code fromSource}
 * can read {@code event_time_ms} and keep watermarks per Kafka partition, without parsing each
 * record twice. A malformed record (in either encoding) is counted in the {@code malformedRecords}
 * counter (metric group {@code ...source...deserializer}) and dropped; it never fails the job.
 */
public class EmailEventDeserializationSchema implements DeserializationSchema<EmailEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EmailEventDeserializationSchema.class);
    /** Only the first few malformed records are logged; the counter has the total. */
    private static final int MAX_LOGGED = 10;

    private transient Counter malformed;
    private transient int logged;

    @Override
    public void open(InitializationContext context) {
        malformed = context.getMetricGroup().counter("malformedRecords");
    }

    @Override
    public void deserialize(byte[] message, Collector<EmailEvent> out) {
        try {
            out.collect(WireFormat.parseEvent(message));
        } catch (WireFormat.MalformedEventException e) {
            malformedCounter().inc();
            if (logged < MAX_LOGGED) {
                logged++;
                LOG.warn("Dropping malformed input record ({}){}", e.getMessage(),
                        logged == MAX_LOGGED ? "; further ones are only counted" : "");
            }
        }
    }

    /** Single-record variant required by the interface: {@code null} for a malformed record. */
    @Override
    public EmailEvent deserialize(byte[] message) {
        try {
            return WireFormat.parseEvent(message);
        } catch (WireFormat.MalformedEventException e) {
            malformedCounter().inc();
            return null;
        }
    }

    @Override
    public boolean isEndOfStream(EmailEvent nextElement) {
        return false;
    }

    @Override
    public TypeInformation<EmailEvent> getProducedType() {
        return TypeInformation.of(EmailEvent.class);
    }

    /** The malformed-record counter (a detached one when {@link #open} was not called). */
    Counter malformedCounter() {
        if (malformed == null) {
            malformed = new SimpleCounter();
        }
        return malformed;
    }
}
