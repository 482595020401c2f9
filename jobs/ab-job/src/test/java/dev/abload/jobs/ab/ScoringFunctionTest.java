package dev.abload.jobs.ab;

import static dev.abload.jobs.ab.Events.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * {@code --cost-per-event-us}: the calibration and the CPU time each event then really costs,
 * measured as thread CPU time on the one thread that runs the operator (so neither other
 * threads on the machine nor descheduling change the result).
 */
class ScoringFunctionTest {
    private static final EventType[] TYPES = {EventType.SEND, EventType.DELIVERY, EventType.OPEN, EventType.CLICK};

    private static List<EmailEvent> events(int n) {
        List<EmailEvent> in = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            in.add(event(i, 1000L + i, TYPES[i % TYPES.length], 1 + i % 3, i % 2 == 0 ? "A" : "B", i * 31L));
        }
        return in;
    }

    private static OneInputStreamOperatorTestHarness<EmailEvent, EmailEvent> harness(ScoringFunction f)
            throws Exception {
        OneInputStreamOperatorTestHarness<EmailEvent, EmailEvent> h =
                new OneInputStreamOperatorTestHarness<>(new StreamMap<>(f));
        h.open();
        return h;
    }

    /** Mean thread CPU ns per event of pushing {@code in} through {@code h} on this thread. */
    private static double cpuNsPerEvent(OneInputStreamOperatorTestHarness<EmailEvent, EmailEvent> h,
            List<EmailEvent> in) throws Exception {
        LongSupplier cpu = CpuCost.threadCpuClock();
        assertNotNull(cpu, "this JVM has no thread CPU clock");
        long t0 = cpu.getAsLong();
        for (EmailEvent e : in) {
            h.processElement(e, e.eventTimeMs);
        }
        return (double) (cpu.getAsLong() - t0) / in.size();
    }

    @Test
    void calibrationYieldsPositiveIterationsQuickly() {
        CpuCost.Calibration c = CpuCost.calibrate(200_000);
        assertTrue(c.threadCpuClock(), c.toString());
        assertTrue(c.iterationsPerEvent() > 0, c.toString());
        assertTrue(c.nsPerIteration() > 0, c.toString());
        assertEquals(c.iterationsPerEvent(), Math.round(200_000 / c.nsPerIteration()), c.toString());
        assertTrue(c.elapsedWallNs() < 1_000_000_000L, "calibration must take < 1 s: " + c);
        // A cost 10x as high needs about 10x the iterations, once the loop's speed is the
        // same in both (a cold JVM can still be compiling the loop during the first one:
        // the operator's running re-calibration covers that; here, calibrate warm).
        CpuCost.Calibration warm = CpuCost.calibrate(200_000);
        CpuCost.Calibration c10 = CpuCost.calibrate(2_000_000);
        double ratio = (double) c10.iterationsPerEvent() / warm.iterationsPerEvent();
        assertTrue(ratio > 7 && ratio < 13, ratio + ": " + warm + " vs " + c10);
        assertThrows(IllegalArgumentException.class, () -> CpuCost.calibrate(0));
    }

    @Test
    void spinIsRealWorkOnTheEventsFields() {
        // Deterministic, depends on the seed and on every iteration (no closed form, no constant).
        assertEquals(CpuCost.spin(42, 1000), CpuCost.spin(42, 1000));
        assertNotEquals(CpuCost.spin(42, 1000), CpuCost.spin(43, 1000));
        assertNotEquals(CpuCost.spin(42, 1000), CpuCost.spin(42, 1001));
        assertEquals(42, CpuCost.spin(42, 0));
        EmailEvent a = event(1, 1000, EventType.OPEN, 1, "A", 7);
        EmailEvent b = event(2, 1000, EventType.OPEN, 1, "A", 7);
        assertNotEquals(CpuCost.seed(a), CpuCost.seed(b));
        assertNotEquals(CpuCost.seed(a), CpuCost.seed(event(1, 1000, EventType.OPEN, 1, "B", 7)));
        assertNotEquals(CpuCost.seed(a), CpuCost.seed(event(1, 1000, EventType.OPEN, 1, "A", 8)));
    }

    @Test
    void eachEventCostsTheRequestedCpuTime() throws Exception {
        ScoringFunction f = new ScoringFunction(200);
        try (OneInputStreamOperatorTestHarness<EmailEvent, EmailEvent> h = harness(f)) {
            assertTrue(f.iterationsPerEvent() > 0);
            assertTrue(f.nsPerIteration() > 0);
            long before = f.checksum();
            List<EmailEvent> in = events(2000);
            double perEventNs = cpuNsPerEvent(h, in);
            assertTrue(perEventNs > 0.7 * 200_000 && perEventNs < 1.3 * 200_000,
                    String.format("mean CPU per event %.1f us, want 200 us +-30%% (%d iterations, %.3f ns/iteration)",
                            perEventNs / 1000, f.iterationsPerEvent(), f.nsPerIteration()));
            // Events pass through unchanged, and the work's result was consumed.
            assertEquals(in, h.extractOutputValues());
            assertNotEquals(before, f.checksum());
        }
    }

    @Test
    void runningRecalibrationCorrectsAColdCalibration() throws Exception {
        ScoringFunction f = new ScoringFunction(200);
        try (OneInputStreamOperatorTestHarness<EmailEvent, EmailEvent> h = harness(f)) {
            // As if open() had measured the loop 3x slower than it runs (C1 code, not yet C2):
            // each event would then cost a third of the requested CPU.
            f.forceCalibration(f.nsPerIteration() * 3);
            cpuNsPerEvent(h, events(3000)); // the feedback converges
            double perEventNs = cpuNsPerEvent(h, events(2000));
            assertTrue(perEventNs > 0.7 * 200_000 && perEventNs < 1.3 * 200_000,
                    String.format("after re-calibration: mean CPU per event %.1f us, want 200 us +-30%% (%d iterations, %.3f ns/iteration)",
                            perEventNs / 1000, f.iterationsPerEvent(), f.nsPerIteration()));
        }
    }

    @Test
    void reportsTheCpuItSpent() throws Exception {
        // costCpuNanos / costEvents is what scoring really cost: the thread CPU time
        // measured from outside, less the test harness's own small share per record.
        ScoringFunction f = new ScoringFunction(200);
        try (OneInputStreamOperatorTestHarness<EmailEvent, EmailEvent> h = harness(f)) {
            cpuNsPerEvent(h, events(500)); // warm
            long c0 = f.cpuNanos(), e0 = f.events();
            double outside = cpuNsPerEvent(h, events(1000));
            double achieved = (double) (f.cpuNanos() - c0) / (f.events() - e0);
            assertEquals(1000, f.events() - e0);
            assertTrue(achieved <= outside && achieved > 0.9 * outside,
                    String.format("achieved %.1f us per event, measured outside %.1f us", achieved / 1000, outside / 1000));
            assertTrue(achieved > 0.8 * 200_000 && achieved < 1.2 * 200_000, achieved + " ns per event, want 200 us +-20%");
        }
    }

    @Test
    void costZeroDoesNoWork() throws Exception {
        ScoringFunction f = new ScoringFunction(0);
        try (OneInputStreamOperatorTestHarness<EmailEvent, EmailEvent> h = harness(f)) {
            assertEquals(0, f.iterationsPerEvent());
            assertEquals(0.0, f.nsPerIteration());
            List<EmailEvent> in = events(2000);
            cpuNsPerEvent(h, in); // warms up the harness's own path (cold, it costs tens of us per record)
            double perEventNs = cpuNsPerEvent(h, in);
            assertEquals(0, f.checksum(), "no work folded in");
            List<EmailEvent> twice = new ArrayList<>(in);
            twice.addAll(in);
            assertEquals(twice, h.extractOutputValues());
            // Only the harness's own per-record overhead: a generous bound, a tenth of the 200 us above.
            assertTrue(perEventNs < 20_000, perEventNs + " ns per event");
        }
    }

    @Test
    void rejectsBadCosts() {
        assertThrows(IllegalArgumentException.class, () -> new ScoringFunction(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ScoringFunction(ScoringFunction.MAX_COST_PER_EVENT_US + 1));
        assertTrue(e.getMessage().contains("cost per event must be 0..1000000 us"), e.getMessage());
    }
}
