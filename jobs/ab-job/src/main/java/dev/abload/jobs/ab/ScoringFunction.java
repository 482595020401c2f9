package dev.abload.jobs.ab;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Gauge;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "scoring step" of {@code --cost-per-event-us N}: spends about {@code N} µs of real CPU
 * (thread CPU time) on every de-duplicated event, to model a heavier production job and give
 * capacity searches a predictable ground truth. The event passes through unchanged.
 *
 * <p>The job places it right after {@code dedupe}, at dedupe's parallelism (so it chains to it
 * and runs in dedupe's task), and only when {@code N > 0}: dedupe is the one operator every
 * non-late event passes exactly once, whichever outputs, windows path or skew mitigation is
 * on, and its key (campaign, recipient) spreads the events evenly over its subtasks, so the
 * work scales with the stage's parallelism rather than with the number of (campaign, variant)
 * keys. Late events (which leave at the late filter) and flush records are not scored.
 *
 * <p>At {@link #open} each subtask calibrates ({@link CpuCost#calibrate}, tens of
 * milliseconds) how many iterations of the work loop take {@code N} µs of its thread's CPU time
 * and logs the result at INFO. Then every event's work is timed on thread CPU time, and after
 * every {@link #RECALIBRATE_EVERY} events the iteration count follows what they cost (an
 * exponentially weighted mean of CPU ns per iteration): the loop can still speed up after
 * open() while the JIT finishes compiling it, and a calibration taken while something else ran
 * beside the TaskManager is corrected as soon as it is measured. The loop's result is folded
 * into {@link #checksum()}, so the JIT cannot remove it.
 *
 * <p>Metrics: {@code costIterationsPerEvent} (gauge, long: loop iterations per event),
 * {@code costNanosPerIteration} (gauge, double: the calibrated CPU ns per iteration), and what
 * was really spent: {@code costCpuNanos} (gauge, long: the thread CPU ns of all scoring so far)
 * and {@code costEvents} (gauge, long: the events scored), whose ratio over a span is the
 * achieved cost per event.
 */
public class ScoringFunction extends RichMapFunction<EmailEvent, EmailEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ScoringFunction.class);

    /** Upper bound of the cost ({@code --cost-per-event-us}): one second of CPU per event. */
    public static final long MAX_COST_PER_EVENT_US = 1_000_000;

    private final long costPerEventUs;

    private transient long iterationsPerEvent;
    private transient double nsPerIteration;
    private transient long checksum;
    private transient java.util.function.LongSupplier cpuClock;
    private transient long events;
    private transient long cpuNanos;
    private transient long windowNanos;
    private transient long windowIterations;

    /** Every this many events, what they cost re-calibrates the loop. */
    static final int RECALIBRATE_EVERY = 32;
    /** Weight of a window's timing in the running ns/iteration (an exponentially weighted mean). */
    static final double RECALIBRATE_WEIGHT = 0.2;

    /** @param costPerEventUs CPU microseconds per event, >= 0 (0: no work, no calibration) */
    public ScoringFunction(long costPerEventUs) {
        if (costPerEventUs < 0 || costPerEventUs > MAX_COST_PER_EVENT_US) {
            throw new IllegalArgumentException("cost per event must be 0.." + MAX_COST_PER_EVENT_US
                    + " us, got " + costPerEventUs);
        }
        this.costPerEventUs = costPerEventUs;
    }

    @Override
    public void open(OpenContext openContext) {
        if (costPerEventUs > 0) {
            CpuCost.Calibration c = CpuCost.calibrate(costPerEventUs * 1_000);
            iterationsPerEvent = c.iterationsPerEvent();
            nsPerIteration = c.nsPerIteration();
            checksum = c.checksum();
            cpuClock = c.threadCpuClock() ? CpuCost.threadCpuClock() : null;
            String subtask = getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks();
            if (c.threadCpuClock() && c.settled()) {
                LOG.info("{}: --cost-per-event-us {} calibrated to {}", subtask, costPerEventUs, c);
            } else {
                LOG.warn("{}: --cost-per-event-us {} calibrated to {}", subtask, costPerEventUs, c);
            }
        }
        getRuntimeContext().getMetricGroup().gauge("costIterationsPerEvent", (Gauge<Long>) () -> iterationsPerEvent);
        getRuntimeContext().getMetricGroup().gauge("costNanosPerIteration", (Gauge<Double>) () -> nsPerIteration);
        getRuntimeContext().getMetricGroup().gauge("costCpuNanos", (Gauge<Long>) () -> cpuNanos);
        getRuntimeContext().getMetricGroup().gauge("costEvents", (Gauge<Long>) () -> events);
    }

    @Override
    public EmailEvent map(EmailEvent e) {
        if (iterationsPerEvent <= 0) {
            return e;
        }
        events++;
        if (cpuClock == null) {
            checksum += CpuCost.spin(CpuCost.seed(e), iterationsPerEvent);
            return e;
        }
        long t0 = cpuClock.getAsLong();
        checksum += CpuCost.spin(CpuCost.seed(e), iterationsPerEvent);
        long spent = cpuClock.getAsLong() - t0;
        cpuNanos += spent;
        windowNanos += spent;
        windowIterations += iterationsPerEvent;
        if (events % RECALIBRATE_EVERY == 0 && windowNanos > 0) {
            // Feedback on what the last RECALIBRATE_EVERY events cost: the count of
            // iterations follows, keeping the cost at N µs of CPU per event.
            double measured = (double) windowNanos / windowIterations;
            nsPerIteration += RECALIBRATE_WEIGHT * (measured - nsPerIteration);
            iterationsPerEvent = Math.max(1, Math.round(costPerEventUs * 1_000 / nsPerIteration));
            windowNanos = 0;
            windowIterations = 0;
        }
        return e;
    }

    /** Thread CPU ns spent scoring so far, and the events scored (the achieved cost's parts). */
    long cpuNanos() {
        return cpuNanos;
    }

    long events() {
        return events;
    }

    /** Overrides the calibration (tests: a calibration taken while the loop was still slow). */
    void forceCalibration(double nsPerIteration) {
        this.nsPerIteration = nsPerIteration;
        this.iterationsPerEvent = Math.max(1, Math.round(costPerEventUs * 1_000 / nsPerIteration));
    }

    /** Loop iterations per event (set by {@link #open}; 0 when the cost is 0). */
    long iterationsPerEvent() {
        return iterationsPerEvent;
    }

    /** The calibrated CPU ns per loop iteration (0 when the cost is 0). */
    double nsPerIteration() {
        return nsPerIteration;
    }

    /** The folded results of all work done so far: what keeps the JIT from dropping it. */
    long checksum() {
        return checksum;
    }
}
