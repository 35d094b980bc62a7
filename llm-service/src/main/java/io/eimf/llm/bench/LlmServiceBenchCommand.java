package io.eimf.llm.bench;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.UsageException;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import io.eimf.core.progress.Progress;
import io.eimf.core.provenance.ToolVersion;
import io.eimf.core.synth.SyntheticData;
import io.eimf.llm.api.InterestItem;
import io.eimf.llm.api.InterestRequest;
import io.eimf.llm.api.InterestResponse;
import io.eimf.llm.client.LlmServiceClient;
import io.eimf.llm.config.LlmServiceConfig;
import io.eimf.llm.retry.RetryPolicy;
import io.eimf.llm.server.LlmServer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code eimf bench llm-service}: N concurrent clients over loopback HTTP against the service backed by a fake
 * OpenAI-compatible LLM with a fixed latency. Phase "miss": every client asks for a different user at once (all
 * cache misses, each one LLM call). Phase "hit": every client repeats its request R times (all cache hits).
 * Latencies are client-observed (HTTP included) and exact; the service's internal times come from its metrics.
 */
public final class LlmServiceBenchCommand implements Command {
    @Override
    public String name() {
        return "bench llm-service";
    }

    @Override
    public String summary() {
        return "load-test the llm-service: concurrent clients, fake LLM with fixed latency, hit/miss percentiles";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(opt("clients", "concurrent clients (default 500)"))
                .addOption(opt("latency-ms", "latency of the fake LLM (default 200)"))
                .addOption(opt("hit-rounds", "requests per client in the hit phase (default 20)"))
                .addOption(opt("think-ms", "pause between a client's hit requests (default 0: closed loop)"))
                .addOption(opt("items", "items per user request (default 20)"))
                .addOption(opt("max-concurrent-calls", "service setting maxConcurrentCalls (default 64)"))
                .addOption(opt("cache", "SQLite file or JDBC URL (default: a fresh temporary SQLite file)"))
                .addOption(opt("out", "also write the results as JSON to this file"));
    }

    private static Option opt(String name, String desc) {
        return Option.builder().longOpt(name).hasArg().desc(desc).get();
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        int clients = Args.intValue(cl, "clients", 500);
        int latencyMs = Args.intValue(cl, "latency-ms", 200);
        int rounds = Args.intValue(cl, "hit-rounds", 20);
        int thinkMs = Args.intValue(cl, "think-ms", 0);
        int nItems = Args.intValue(cl, "items", 20);
        int maxCalls = Args.intValue(cl, "max-concurrent-calls", 64);
        if (clients < 1 || latencyMs < 0 || rounds < 1 || thinkMs < 0 || nItems < 2 || maxCalls < 1) {
            throw new UsageException("need clients >= 1, latency-ms >= 0, hit-rounds >= 1, think-ms >= 0, "
                    + "items >= 2, max-concurrent-calls >= 1");
        }
        Path tmpDir = Files.createTempDirectory("eimf-bench-llm");
        String cache = cl.getOptionValue("cache", tmpDir.resolve("cache.db").toString());
        List<InterestRequest> requests = requests(clients, nItems);
        PeakMemory mem = new PeakMemory();
        mem.start();
        Map<String, Object> result = new LinkedHashMap<>();
        try (FakeLlmServer llm = new FakeLlmServer(latencyMs, Math.max(8, maxCalls));
             LlmServer server = LlmServer.start(LlmServiceConfig.defaults()
                     .with("provider", "openai").with("baseUrl", llm.baseUrl()).with("model", "fake-200ms")
                     .with("port", "0").with("cache", cache).with("maxConcurrentCalls", "" + maxCalls)
                     .with("serverThreads", "" + (clients + 16)).with("timeoutMs", "" + (latencyMs * 10L + 10_000))
                     .with("memoryCacheEntries", "" + Math.max(20_000, clients)))) {
            LlmServiceClient client = new LlmServiceClient(server.url()).withRetry(RetryPolicy.none())
                    .withTimeout(Duration.ofMinutes(5));
            // Warm up JIT and connections on users outside the measured set.
            runPhase(client, requests(8, nItems).stream().map(r -> new InterestRequest("warm-" + r.userId(),
                    r.items().subList(1, r.items().size()), 2, 3)).toList(), 1, 0, false, null, ctx);
            long callsBefore = llm.calls();
            Phase miss = runPhase(client, requests, 1, 0, false, "miss", ctx);
            long llmCalls = llm.calls() - callsBefore;
            Phase hit = runPhase(client, requests, rounds, thinkMs, true, "hit", ctx);
            mem.stop();
            var sm = server.metrics();
            String table = String.format(Locale.ROOT,
                    "llm-service load benchmark: %d concurrent clients over loopback HTTP (JDK HttpClient, HTTP/1.1),"
                            + " fake OpenAI-compatible LLM with %d ms latency, maxConcurrentCalls %d, %d items per"
                            + " user, cache %s; client-observed latency including HTTP, exact percentiles%n"
                            + "%-6s %9s %7s %9s %9s %9s %9s %10s %12s%n"
                            + "%s%n%s%n"
                            + "service-internal (metrics, no HTTP): hit p50 %.3f ms p99 %.3f ms; miss p50 %.1f ms "
                            + "p99 %.1f ms%n"
                            + "LLM calls in the miss phase: %d for %d distinct users; in the hit phase: %d%n"
                            + "peak heap used %.0f MiB, peak RSS (VmHWM) %s MiB (one JVM: fake LLM + service + "
                            + "clients)%n"
                            + "CPU ms/req: process CPU time (clients + service + fake LLM + GC/JIT) per request; "
                            + "machine load average at the end: %s%n"
                            + "goals: errors = 0: %s; cache-hit p99 < 2 ms: %s (%.3f ms, hit phase %s)%n",
                    clients, latencyMs, maxCalls, nItems, server.health().cache(),
                    "phase", "requests", "errors", "p50 ms", "p90 ms", "p99 ms", "max ms", "req/s", "CPU ms/req",
                    miss.row(), hit.row(),
                    sm.hitLatency.percentileMs(0.5), sm.hitLatency.percentileMs(0.99),
                    sm.missLatency.percentileMs(0.5), sm.missLatency.percentileMs(0.99),
                    llmCalls, clients, llm.calls() - callsBefore - llmCalls,
                    mem.peakHeapMiB(), mem.peakRssMiB(), loadAverage(),
                    miss.errors.get() + hit.errors.get() == 0 ? "PASS" : "FAIL",
                    hit.p(0.99) < 2.0 ? "PASS" : "FAIL", hit.p(0.99),
                    thinkMs == 0 ? "closed loop" : "with " + thinkMs + " ms think time");
            ctx.out().print(table);
            result.put("protocol", Map.of("clients", clients, "latencyMs", latencyMs, "hitRounds", rounds,
                    "thinkMs", thinkMs, "items", nItems, "maxConcurrentCalls", maxCalls,
                    "transport", "loopback HTTP/1.1, JDK HttpClient", "latency", "client-observed, exact"));
            result.put("miss", miss.summary());
            result.put("hit", hit.summary());
            result.put("serviceInternal", Map.of("hit", sm.hitLatency.summary(), "miss", sm.missLatency.summary()));
            result.put("llmCallsMissPhase", llmCalls);
            result.put("peakHeapMiB", Math.round(mem.peakHeapMiB()));
            result.put("peakRssMiB", mem.peakRssMiB());
            result.put("loadAverage", loadAverage());
            result.put("toolVersion", ToolVersion.get());
            if (cl.hasOption("out")) AtomicOutput.text(ctx.path(cl.getOptionValue("out")), Json.pretty(result));
            return miss.errors.get() + hit.errors.get() == 0 ? 0 : 1;
        } finally {
            mem.stop();
            AtomicOutput.deleteRecursively(tmpDir);
        }
    }

    /** One synthetic user per client, each with its own items (so every cold request is a distinct key). */
    static List<InterestRequest> requests(int clients, int nItems) {
        SyntheticData.Generated g = SyntheticData.generate(SyntheticData.Config.defaults()
                .withUsers(clients).withLengths(nItems, nItems));
        Map<Integer, List<InterestItem>> byUser = new LinkedHashMap<>();
        for (SyntheticData.Interaction in : g.interactions()) {
            List<InterestItem> l = byUser.computeIfAbsent(in.user(), u -> new ArrayList<>());
            SyntheticData.SynthItem it = g.items().get(in.item() - 1);
            l.add(new InterestItem(l.size() + ":" + it.id(), it.title() + " | " + it.category(), List.of()));
        }
        List<InterestRequest> out = new ArrayList<>();
        // The user id is not part of the key; prefixing each first item with the user keeps keys distinct even
        // when two synthetic users happen to share a sequence.
        byUser.forEach((u, items) -> {
            List<InterestItem> l = new ArrayList<>(items);
            InterestItem first = l.get(0);
            l.set(0, new InterestItem(first.id(), first.text() + " (user " + u + ")", List.of()));
            out.add(new InterestRequest("u" + u, l, 2, 4));
        });
        return out;
    }

    /** Latencies and errors of one phase. */
    static final class Phase {
        final String name;
        final long[] nanos;
        final AtomicLong errors = new AtomicLong();
        final AtomicLong next = new AtomicLong();
        double seconds;
        double cpuSeconds;
        volatile String firstError;

        Phase(String name, int n) {
            this.name = name;
            this.nanos = new long[n];
        }

        double p(double q) {
            long[] s = nanos.clone();
            Arrays.sort(s);
            int i = (int) Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
            return s[i] / 1e6;
        }

        String row() {
            return String.format(Locale.ROOT, "%-6s %9d %7d %9.3f %9.3f %9.3f %9.3f %10.0f %12.3f", name,
                    nanos.length, errors.get(), p(0.5), p(0.9), p(0.99), p(1.0), nanos.length / seconds,
                    cpuSeconds * 1000 / nanos.length)
                    + (firstError == null ? "" : "   first error: " + firstError);
        }

        Map<String, Object> summary() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("requests", nanos.length);
            m.put("errors", errors.get());
            m.put("p50Ms", p(0.5));
            m.put("p90Ms", p(0.9));
            m.put("p99Ms", p(0.99));
            m.put("maxMs", p(1.0));
            m.put("requestsPerSecond", nanos.length / seconds);
            m.put("cpuMsPerRequest", cpuSeconds * 1000 / nanos.length);
            if (firstError != null) m.put("firstError", firstError);
            return m;
        }
    }

    private static Phase runPhase(LlmServiceClient client, List<InterestRequest> reqs, int rounds, int thinkMs,
                                  boolean expectHit, String name, CommandContext ctx) throws InterruptedException {
        Phase ph = new Phase(name, reqs.size() * rounds);
        Progress progress = name == null ? null
                : new Progress("bench llm-service " + name, ph.nanos.length, ctx.err(), Duration.ofSeconds(2));
        CountDownLatch ready = new CountDownLatch(reqs.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (InterestRequest r : reqs) {
            Thread t = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int k = 0; k < rounds; k++) {
                    long t0 = System.nanoTime();
                    String err = null;
                    try {
                        InterestResponse resp = client.interests(r);
                        if (!resp.ok()) err = "failed: " + resp.error();
                        else if (resp.cached() != expectHit) err = expectHit ? "expected a cache hit" : "unexpected hit";
                    } catch (RuntimeException e) {
                        err = e.getMessage();
                    }
                    ph.nanos[(int) ph.next.getAndIncrement()] = System.nanoTime() - t0;
                    if (err != null) {
                        ph.errors.incrementAndGet();
                        if (ph.firstError == null) ph.firstError = err;
                    }
                    if (progress != null) progress.advance(1, null);
                    if (thinkMs > 0) {
                        try {
                            Thread.sleep(thinkMs);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "bench-client");
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        ready.await();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        go.countDown();
        for (Thread t : threads) t.join();
        ph.seconds = (System.nanoTime() - t0) / 1e9;
        ph.cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
        if (progress != null) progress.finish(null);
        return ph;
    }

    /** The 1-minute load average (other processes compete for the same cores), or n/a. */
    static String loadAverage() {
        double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f on %d cores", l,
                Runtime.getRuntime().availableProcessors());
    }

    /** CPU time of the whole JVM so far (all threads: clients, service, fake LLM, GC, JIT). */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** Samples heap use while running; reads the peak RSS from /proc where available. */
    static final class PeakMemory {
        private volatile boolean running;
        private volatile long peakHeap;
        private Thread sampler;

        void start() {
            running = true;
            sampler = new Thread(() -> {
                while (running) {
                    peakHeap = Math.max(peakHeap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "bench-memory");
            sampler.setDaemon(true);
            sampler.start();
        }

        void stop() {
            running = false;
        }

        /** The largest heap use seen by the 20 ms sampler (a lower bound of the true peak). */
        double peakHeapMiB() {
            return peakHeap / 1048576.0;
        }

        String peakRssMiB() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmHWM:")) {
                        long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                        return Long.toString(kb / 1024);
                    }
                }
            } catch (Exception e) {
                // Not Linux: no RSS figure.
            }
            return "n/a";
        }
    }
}
