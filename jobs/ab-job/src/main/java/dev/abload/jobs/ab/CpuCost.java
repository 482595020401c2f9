package dev.abload.jobs.ab;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Real, calibrated CPU work: {@link #spin} is a serial chain of integer mixing steps (xor-shift,
 * multiply, add) whose result depends on every step, so the JIT can neither fold, vectorize nor
 * drop it as long as the caller consumes the result; {@link #calibrate} measures how many steps
 * take a given amount of <em>thread CPU time</em> on the calling thread.
 *
 * <p>Thread CPU time (not wall time) makes the calibration independent of how many other
 * threads share the cores: a subtask that is descheduled half of the time still measures the
 * cost of the loop itself, and then spends that much CPU per event, so a job at parallelism 4 on
 * two cores does not "scale" beyond what two cores can compute. Never sleeps or spins on a clock.
 */
final class CpuCost {
    /** Iterations per call of {@link #spin} while calibrating. */
    static final int CHUNK = 4_096;
    /** Calls of {@link #spin} per measured round (≈ 0.5 M iterations, about a millisecond). */
    static final int CALLS_PER_ROUND = 128;
    /** Rounds whose median gives the result, once the speed has settled. */
    static final int WINDOW = 9;
    /** The speed has settled when no round in the last {@link #WINDOW} beat the best before them by this much. */
    static final double SETTLED = 0.02;
    /** Minimum warm-up before measuring counts: enough calls and loop back-edges for C2. */
    static final int WARMUP_CALLS = 500;
    /** Wall-clock budget of one calibration; it stops early (and says so) when exceeded. */
    static final long BUDGET_NS = 700_000_000L;

    private CpuCost() {}

    /**
     * {@code iterations} dependent integer mixing steps starting from {@code h}. About one
     * multiply latency plus three single-cycle operations per step.
     */
    static long spin(long h, long iterations) {
        for (long i = 0; i < iterations; i++) {
            h ^= h >>> 31;
            h *= 0x9E3779B97F4A7C15L;
            h += i;
        }
        return h;
    }

    /** A small hash of an event's fields: the seed of its scoring loop. */
    static long seed(EmailEvent e) {
        long h = e.seq * 0xBF58476D1CE4E5B9L;
        h ^= e.recipient * 0x94D049BB133111EBL;
        h ^= ((long) e.campaign << 32) ^ e.eventTimeMs;
        h ^= e.variant == null ? 0 : e.variant.hashCode();
        h ^= e.type == null ? 0 : e.type.ordinal();
        return h;
    }

    /** The outcome of {@link #calibrate}. */
    record Calibration(
            long targetNs,
            long iterationsPerEvent,
            double nsPerIteration,
            boolean threadCpuClock,
            boolean settled,
            int rounds,
            long elapsedWallNs,
            long checksum) {

        @Override
        public String toString() {
            return String.format("%d iterations per event (%.3f ns/iteration of %s over %d rounds%s;"
                            + " calibration took %.0f ms wall)",
                    iterationsPerEvent, nsPerIteration, threadCpuClock ? "thread CPU time" : "WALL time (no thread CPU clock)",
                    rounds, settled ? "" : ", NOT settled within the budget", elapsedWallNs / 1e6);
        }
    }

    /** The current thread's CPU time in ns, or {@code null} if the JVM cannot measure it. */
    static LongSupplier threadCpuClock() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!mx.isCurrentThreadCpuTimeSupported()) {
            return null;
        }
        if (!mx.isThreadCpuTimeEnabled()) {
            try {
                mx.setThreadCpuTimeEnabled(true);
            } catch (UnsupportedOperationException | SecurityException e) {
                return null;
            }
        }
        return mx::getCurrentThreadCpuTime;
    }

    /**
     * How many {@link #spin} iterations take {@code targetNs} of the calling thread's CPU time.
     * Warms the loop up first, then measures rounds of {@link #CALLS_PER_ROUND} × {@link #CHUNK}
     * iterations until the speed has settled (compilation by C2 finishes in the background, so
     * early rounds can still run slower code) and takes the median ns/iteration of the last
     * {@link #WINDOW} rounds. Takes a few tens of milliseconds, at most {@link #BUDGET_NS}. Falls
     * back to wall time only if the JVM has no thread CPU clock.
     */
    static Calibration calibrate(long targetNs) {
        if (targetNs <= 0) {
            throw new IllegalArgumentException("target CPU time must be > 0 ns, got " + targetNs);
        }
        LongSupplier cpu = threadCpuClock();
        boolean threadCpu = cpu != null;
        LongSupplier clock = threadCpu ? cpu : System::nanoTime;
        long wallStart = System.nanoTime();
        long deadline = wallStart + BUDGET_NS;
        long sink = 0;
        for (int i = 0; i < WARMUP_CALLS && System.nanoTime() < deadline; i++) {
            sink += spin(sink + i, CHUNK);
        }
        double[] history = new double[4096];
        int rounds = 0;
        boolean settled = false;
        while (rounds < history.length) {
            long t0 = clock.getAsLong();
            for (int c = 0; c < CALLS_PER_ROUND; c++) {
                sink += spin(sink + c, CHUNK);
            }
            long t1 = clock.getAsLong();
            history[rounds++] = (double) (t1 - t0) / ((long) CALLS_PER_ROUND * CHUNK);
            if (rounds > WINDOW && settled(history, rounds)) {
                settled = true;
                break;
            }
            if (System.nanoTime() > deadline && rounds >= WINDOW) {
                break;
            }
        }
        double[] last = Arrays.copyOfRange(history, Math.max(0, rounds - WINDOW), rounds);
        Arrays.sort(last);
        double nsPerIteration = Math.max(last[last.length / 2], 1e-3);
        long iterations = Math.max(1, Math.round(targetNs / nsPerIteration));
        return new Calibration(targetNs, iterations, nsPerIteration, threadCpu, settled, rounds,
                System.nanoTime() - wallStart, sink);
    }

    /** No round of the last {@link #WINDOW} was {@link #SETTLED} faster than the best round before them. */
    private static boolean settled(double[] history, int rounds) {
        double bestBefore = Double.MAX_VALUE;
        for (int i = 0; i < rounds - WINDOW; i++) {
            bestBefore = Math.min(bestBefore, history[i]);
        }
        for (int i = rounds - WINDOW; i < rounds; i++) {
            if (history[i] < bestBefore * (1 - SETTLED)) {
                return false;
            }
        }
        return true;
    }
}
