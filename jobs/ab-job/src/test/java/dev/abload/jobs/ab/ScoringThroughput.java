package dev.abload.jobs.ab;

import java.util.function.LongSupplier;

/**
 * A quick, JMH-free measurement (not a test): how many events per second one thread running the
 * scoring step gets through at a given {@code --cost-per-event-us}, by wall and by CPU time.
 * Run with the test classpath:
 * {@code java -cp target/classes:target/test-classes dev.abload.jobs.ab.ScoringThroughput 200 500}.
 */
public final class ScoringThroughput {
    private ScoringThroughput() {}

    public static void main(String[] args) {
        LongSupplier cpu = CpuCost.threadCpuClock();
        if (cpu == null) {
            throw new IllegalStateException("no thread CPU clock");
        }
        long sink = 0;
        for (String a : args.length > 0 ? args : new String[] {"200", "500"}) {
            long us = Long.parseLong(a);
            CpuCost.Calibration c = CpuCost.calibrate(us * 1000);
            System.out.printf("cost %d us: %s%n", us, c);
            EmailEvent e = Events.event(0, 1000, EventType.OPEN, 1, "A", 7);
            int n = (int) Math.max(200, 2_000_000 / us); // about 2 s of work
            long w0 = System.nanoTime();
            long c0 = cpu.getAsLong();
            for (int i = 0; i < n; i++) {
                e.seq = i;
                sink += CpuCost.spin(CpuCost.seed(e), c.iterationsPerEvent());
            }
            long cpuNs = cpu.getAsLong() - c0;
            long wallNs = System.nanoTime() - w0;
            System.out.printf("cost %d us: %d events, mean %.1f us CPU and %.1f us wall per event:"
                            + " %.0f events/s by wall clock (%.0f by CPU time) on one thread%n",
                    us, n, cpuNs / 1e3 / n, wallNs / 1e3 / n, n / (wallNs / 1e9), n / (cpuNs / 1e9));
        }
        System.out.println("(checksum " + sink + ")");
    }
}
