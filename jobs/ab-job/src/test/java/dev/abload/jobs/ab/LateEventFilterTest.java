package dev.abload.jobs.ab;

import static dev.abload.jobs.ab.Events.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @Test
    void allowedLatenessShiftsTheBound() throws Exception {
        try (OneInputStreamOperatorTestHarness<EmailEvent, EmailEvent> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new LateEventFilter(500))) {
            h.processWatermark(5000);
            EmailEvent withinLateness = event(0, 4501, EventType.OPEN, 1, "A", 7);
            EmailEvent atBound = event(1, 4500, EventType.OPEN, 1, "A", 8);
            EmailEvent behind = event(2, 4000, EventType.SEND, 1, "B", 9);
            EmailEvent atWatermark = event(3, 5000, EventType.CLICK, 1, "A", 7);
            for (EmailEvent e : List.of(withinLateness, atBound, behind, atWatermark)) {
                h.processElement(e, e.eventTimeMs);
            }
            assertEquals(List.of(withinLateness, atWatermark), h.extractOutputValues());
            assertEquals(List.of(WireFormat.late(atBound), WireFormat.late(behind)),
                    h.getSideOutput(LateEventFilter.LATE).stream().map(StreamRecord::getValue)
                            .collect(Collectors.toList()));
        }
    }

    @Test
    void everyLateEventIsReportedWhateverTheUpdatesSample() throws Exception {
        // --updates-sample thins the accepted updates (CountsFunction); the late ones all
        // come out, so the harness can take each out of what the windows path owes.
        try (OneInputStreamOperatorTestHarness<EmailEvent, EmailEvent> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new LateEventFilter(0))) {
            h.processWatermark(5000);
            List<EmailEvent> late = List.of(event(10, 100, EventType.OPEN, 1, "A", 1),
                    event(11, 100, EventType.OPEN, 1, "A", 2), event(20, 100, EventType.SEND, 1, "B", 3));
            for (EmailEvent e : late) {
                h.processElement(e, e.eventTimeMs);
            }
            assertEquals(late.stream().map(WireFormat::late).collect(Collectors.toList()),
                    h.getSideOutput(LateEventFilter.LATE).stream().map(StreamRecord::getValue)
                            .collect(Collectors.toList()));
        }
    }

    @Test
    void isLateGuardsOverflow() {
        // No allowed lateness: Flink's ts <= watermark.
        assertTrue(LateEventFilter.isLate(10, 10, 0));
        assertFalse(LateEventFilter.isLate(11, 10, 0));
        assertTrue(LateEventFilter.isLate(Long.MIN_VALUE, Long.MIN_VALUE, 0));
        // ts <= watermark - lateness.
        assertTrue(LateEventFilter.isLate(500, 1000, 500));
        assertFalse(LateEventFilter.isLate(501, 1000, 500));
        // Before the first watermark (Long.MIN_VALUE) nothing is late, and watermark - lateness
        // must not wrap around to a huge positive bound.
        assertFalse(LateEventFilter.isLate(Long.MIN_VALUE, Long.MIN_VALUE, 1));
        assertFalse(LateEventFilter.isLate(0, Long.MIN_VALUE, 500));
        assertFalse(LateEventFilter.isLate(Long.MAX_VALUE, Long.MIN_VALUE + 10, 500));
        assertFalse(LateEventFilter.isLate(Long.MIN_VALUE, Long.MIN_VALUE + 499, 500));
        assertTrue(LateEventFilter.isLate(Long.MIN_VALUE, Long.MIN_VALUE + 500, 500));
        assertFalse(LateEventFilter.isLate(0, 1000, Long.MAX_VALUE));
        assertTrue(LateEventFilter.isLate(Long.MIN_VALUE, -1, Long.MAX_VALUE));
        assertTrue(LateEventFilter.isLate(Long.MAX_VALUE - 10, Long.MAX_VALUE, 10));
        assertThrows(IllegalArgumentException.class, () -> new LateEventFilter(-1));
    }
}
