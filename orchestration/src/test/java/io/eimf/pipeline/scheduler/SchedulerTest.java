package io.eimf.pipeline.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.pipeline.spec.Resources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SchedulerTest {
    /** Instrumented tasks add their declared resources to shared gauges while they run. */
    @Test
    void neverExceedsDeclaredTotals() throws Exception {
        Resources total = Resources.parse("cpu=3,gpu=1,memory=4g", Resources.NONE);
        AtomicLong cpuMilli = new AtomicLong();
        AtomicInteger gpu = new AtomicInteger();
        AtomicLong mem = new AtomicLong();
        AtomicLong peakCpu = new AtomicLong();
        AtomicInteger peakGpu = new AtomicInteger();
        AtomicLong peakMem = new AtomicLong();
        SplittableRandom rnd = new SplittableRandom(7);
        List<TaskFuture<Integer>> fs = new ArrayList<>();
        try (Scheduler s = new Scheduler(total)) {
            for (int i = 0; i < 40; i++) {
                Resources need = new Resources(0.5 + rnd.nextInt(4) * 0.5, rnd.nextInt(4) == 0 ? 1 : 0,
                        (256L + rnd.nextInt(2048)) << 20);
                int id = i;
                fs.add(s.submit("t" + i, need, in -> {
                    long c = cpuMilli.addAndGet(Math.round(need.cpu() * 1000));
                    int g = gpu.addAndGet(need.gpu());
                    long m = mem.addAndGet(need.memory());
                    peakCpu.accumulateAndGet(c, Math::max);
                    peakGpu.accumulateAndGet(g, Math::max);
                    peakMem.accumulateAndGet(m, Math::max);
                    Thread.sleep(5 + id % 7);
                    cpuMilli.addAndGet(-Math.round(need.cpu() * 1000));
                    gpu.addAndGet(-need.gpu());
                    mem.addAndGet(-need.memory());
                    return id;
                }));
            }
            for (int i = 0; i < fs.size(); i++) assertEquals(i, fs.get(i).get());
            assertTrue(peakCpu.get() <= 3000, "cpu " + peakCpu.get());
            assertTrue(peakGpu.get() <= 1, "gpu " + peakGpu.get());
            assertTrue(peakMem.get() <= 4L << 30, "memory " + peakMem.get());
            assertTrue(s.peak().cpu() <= 3 && s.peak().gpu() <= 1 && s.peak().memory() <= 4L << 30, s.peak().toString());
            assertTrue(s.peakRunning() > 1, "some tasks should overlap");
            assertEquals(Resources.NONE.cpu(), s.inUse().cpu());
        }
    }

    @Test
    void dependenciesAreFuturesAndFailuresPropagate() throws Exception {
        try (Scheduler s = new Scheduler(new Resources(2, 0, 1L << 30))) {
            Resources one = new Resources(1, 0, 1 << 20);
            TaskFuture<Integer> a = s.submit("a", one, in -> 2);
            TaskFuture<Integer> b = s.submit("b", one, in -> 3);
            TaskFuture<Integer> c = s.submit("c", one, List.of(a, b), in -> (Integer) in.get(0) * (Integer) in.get(1));
            assertEquals(6, c.get());
            TaskFuture<Integer> bad = s.submit("bad", one, in -> {
                throw new IllegalStateException("boom");
            });
            TaskFuture<Integer> after = s.submit("after", one, List.of(bad), in -> 1);
            TaskFailedException e = assertThrows(TaskFailedException.class, after::get);
            assertTrue(e.upstream());
            assertTrue(e.getMessage().contains("'bad'"), e.getMessage());
            TaskFailedException own = assertThrows(TaskFailedException.class, bad::get);
            assertEquals("boom", own.getMessage());
        }
    }

    @Test
    void waitReturnsTheFirstFinished() throws Exception {
        try (Scheduler s = new Scheduler(new Resources(2, 0, 1L << 30))) {
            Resources one = new Resources(1, 0, 0);
            TaskFuture<String> fast = s.submit("fast", one, in -> "fast");
            TaskFuture<String> slow = s.submit("slow", one, in -> {
                Thread.sleep(2000);
                return "slow";
            });
            List<TaskFuture<?>> done = Scheduler.wait(List.of(slow, fast), 1, Duration.ofSeconds(5));
            assertEquals(List.of(fast), done);
            assertTrue(!slow.isDone());
        }
    }

    @Test
    void taskThatCanNeverFitFailsAtOnce() {
        try (Scheduler s = new Scheduler(new Resources(1, 0, 1L << 30))) {
            TaskFuture<Integer> f = s.submit("gpu", new Resources(1, 1, 0), in -> 1);
            TaskFailedException e = assertThrows(TaskFailedException.class, f::get);
            assertTrue(e.getMessage().contains("pool has only"), e.getMessage());
        }
    }
}
