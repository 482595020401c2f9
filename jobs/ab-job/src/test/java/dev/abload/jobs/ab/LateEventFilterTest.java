package dev.abload.jobs.ab;

import static dev.abload.jobs.ab.Events.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

/** Late events leave through the side output as "late" updates; flush records vanish. */
class LateEventFilterTest {

    @Test
    void routesLateEventsToTheSideOutputAndDropsFlush() throws Exception {
        try (OneInputStreamOperatorTestHarness<EmailEvent, EmailEvent> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new LateEventFilter())) {
            EmailEvent first = event(0, 1000, EventType.SEND, 1, "A", 7);
            h.processElement(first, 1000);            // no watermark yet: on time
            h.processElement(Events.flush(9000), 9000); // control record: dropped
            h.processWatermark(5000);
            EmailEvent late = event(1, 4000, EventType.OPEN, 1, "B", 7);
            EmailEvent atWatermark = event(2, 5000, EventType.CLICK, 2, "A", 8);
            EmailEvent onTime = event(3, 5001, EventType.OPEN, 1, "A", 7);
            h.processElement(late, 4000);
            h.processElement(atWatermark, 5000);
            h.processElement(onTime, 5001);
            h.processElement(Events.flush(1), 1);       // even a "late" flush is dropped silently

            assertEquals(List.of(first, onTime), h.extractOutputValues());
            List<String> lateOut = h.getSideOutput(LateEventFilter.LATE).stream()
                    .map(StreamRecord::getValue)
                    .collect(Collectors.toList());
            assertEquals(List.of(WireFormat.late(late), WireFormat.late(atWatermark)), lateOut);
            assertTrue(lateOut.get(0).contains("\"status\":\"late\""));
            assertTrue(lateOut.get(0).contains("\"intended_ns\":" + late.intendedNs + ",\"event_time_ms\":4000,"),
                    lateOut.get(0));
        }
    }
}
