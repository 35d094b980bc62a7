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
import io.eimf.llm.metrics.LatencyHistogram;
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
import org.apache.commons.cli.Options;

/**
 * {@code eimf bench llm-service}: N concurrent clients over loopback HTTP against the service backed by a fake
 * OpenAI-compatible LLM with a fixed latency. Phase "miss": every client asks for a different user at once (a burst
 * of cache misses, each one LLM call). Phase "hit", the headline: an open loop in which every client stays
 * connected and repeats its request on a fixed schedule, one every {@code --think-ms}, clients spread evenly over
 * the period; latency runs from the scheduled send time, so a slow answer that delays the client's next request is
 * counted against that request too (no coordinated omission). Phase "hit-sat": the same clients re-asking back to
 * back (closed loop), which measures saturation throughput, not latency: with N clients in flight, latency is
 * N / throughput by Little's law. Latencies are client-observed (HTTP included) and exact; the service's internal
 * times come from its metrics, per phase.
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
                .addOption(Args.option("clients", "concurrent clients (default 500)"))
                .addOption(Args.option("latency-ms", "latency of the fake LLM (default 200)"))
                .addOption(Args.option("hit-rounds", "requests per client in the open-loop hit phase (default 20)"))
                .addOption(Args.option("think-ms", "each client's request period in the open-loop hit phase (default 1000)"))
                .addOption(Args.option("warmup-seconds", "at most this long, untimed closed-loop hits before the open loop until"
                        + " the JIT is quiet (default 60; 0: the old, shorter warm-up)"))
                .addOption(Args.option("saturation-rounds", "requests per client in the closed-loop hit phase (default 20; 0 skips it)"))
                .addOption(Args.option("client", "socket (default: lean keep-alive HTTP/1.1 client per thread) or jdk (JDK HttpClient)"))
                .addOption(Args.option("items", "items per user request (default 20)"))
                .addOption(Args.option("server-threads", "service setting serverThreads (default: the service's default)"))
                .addOption(Args.option("max-concurrent-calls", "service setting maxConcurrentCalls (default 64)"))
                .addOption(Args.option("cache", "SQLite file or JDBC URL (default: a fresh temporary SQLite file)"))
                .addOption(Args.option("out", "also write the results as JSON to this file"));
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        int clients = Args.intValue(cl, "clients", 500);
        int latencyMs = Args.intValue(cl, "latency-ms", 200);
        int rounds = Args.intValue(cl, "hit-rounds", 20);
        int thinkMs = Args.intValue(cl, "think-ms", 1000);
        int satRounds = Args.intValue(cl, "saturation-rounds", 20);
        int warmSeconds = Args.intValue(cl, "warmup-seconds", 60);
        String clientKind = cl.getOptionValue("client", "socket");
        if (!clientKind.equals("socket") && !clientKind.equals("jdk")) {
            throw new UsageException("--client is socket or jdk, got '" + clientKind + "'");
        }
        int nItems = Args.intValue(cl, "items", 20);
        int maxCalls = Args.intValue(cl, "max-concurrent-calls", 64);
        if (clients < 1 || latencyMs < 0 || rounds < 1 || thinkMs < 1 || satRounds < 0 || warmSeconds < 0 || nItems < 2 || maxCalls < 1) {
            throw new UsageException("need clients >= 1, latency-ms >= 0, hit-rounds >= 1, think-ms >= 1, "
                    + "saturation-rounds >= 0, warmup-seconds >= 0, items >= 2, max-concurrent-calls >= 1");
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
                     .with("serverThreads", cl.getOptionValue("server-threads", "" + (clients + 16))).with("timeoutMs", "" + (latencyMs * 10L + 10_000))
                     .with("memoryCacheEntries", "" + Math.max(20_000, clients)))) {
            LlmServiceClient jdk = new LlmServiceClient(server.url()).withRetry(RetryPolicy.none())
                    .withTimeout(Duration.ofMinutes(5));
            // One caller per client for the whole run, connected one after another before any phase: the clients are
            // concurrently connected users, and the phases measure requests, not a burst of TCP handshakes.
            List<Caller> callers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                if (clientKind.equals("jdk")) {
                    callers.add(jdk::interests);
                } else {
                    SocketHttpClient h = new SocketHttpClient(server.url());
                    h.connect();
                    callers.add(new SocketCaller(h));
                }
            }
            // Warm up JIT and connections on users outside the measured set.
            runPhase(callers, requests(8, nItems).stream().map(r -> new InterestRequest("warm-" + r.userId(),
                    r.items().subList(1, r.items().size()), 2, 3)).toList(), 1, 0, false, null, ctx);
            var sm = server.metrics();
            long callsBefore = llm.calls();
            LatencyHistogram missBefore = sm.missLatency.copy();
            Phase miss = runPhase(callers, requests, 1, 0, false, "miss", ctx);
            LatencyHistogram missInternal = sm.missLatency.since(missBefore);
            long llmCalls = llm.calls() - callsBefore;
            // Untimed hits first, until the JIT is quiet. Without them the measured open loop ran while C2 was still
            // working through its queue (JFR: compilations of 100-600 ms each to the phase's last second, ~0.3 s of
            // compile time per second of the phase, one of the 2 cores taken, the request path partly in profiled
            // tier-3 code). Then a short open-loop round, so the measured one starts in its own rhythm.
            Warmup warm = warmUp(callers, requests, warmSeconds, ctx);
            runPhase(callers, requests, 2, thinkMs, true, null, ctx);
            LatencyHistogram hitBefore = sm.hitLatency.copy();
            Phase hit = runPhase(callers, requests, rounds, thinkMs, true, "hit", ctx);
            LatencyHistogram hitInternal = sm.hitLatency.since(hitBefore);
            Phase sat = null;
            LatencyHistogram satInternal = null;
            if (satRounds > 0) {
                LatencyHistogram satBefore = sm.hitLatency.copy();
                sat = runPhase(callers, requests, satRounds, 0, true, "hit-sat", ctx);
                satInternal = sm.hitLatency.since(satBefore);
            }
            mem.stop();
            for (Caller c : callers) if (c instanceof SocketCaller sc) sc.http().close();
            long errors = miss.errors.get() + hit.errors.get() + (sat == null ? 0 : sat.errors.get());
            String table = String.format(Locale.ROOT,
                    "llm-service load benchmark: %d concurrent clients over loopback HTTP/1.1 keep-alive (%s),"
                            + " fake OpenAI-compatible LLM with %d ms latency, maxConcurrentCalls %d, %d items per"
                            + " user, cache %s; client-observed latency including HTTP, exact percentiles%n"
                            + "  miss: all clients at once, distinct users (burst of cache misses)%n"
                            + "  hit: open loop, each client sends one request every %d ms (%.0f req/s offered),"
                            + " latency from the scheduled send time (coordinated omission counted), after %s%n"
                            + "  hit-sat: closed loop, each client re-asks back to back (saturation throughput;"
                            + " its latency is clients / throughput)%n"
                            + "%-7s %9s %7s %9s %9s %9s %9s %10s %12s %22s%n"
                            + "%s%n%s%n"
                            + "  hit split (ms)        p50       p90       p99       max: send lateness = actual send"
                            + " minus scheduled (client timer wake-up); response time = answer minus actual send%n"
                            + "%s%s"
                            + "LLM calls in the miss phase: %d for %d distinct users; in the hit phases: %d%n"
                            + "peak heap used %.0f MiB, peak RSS (VmHWM) %s MiB (one JVM: fake LLM + service + "
                            + "clients)%n"
                            + "CPU ms/req: process CPU time (clients + service + fake LLM + GC/JIT) per request; "
                            + "service p50/p99: the service's own time for the request (metrics, no HTTP); "
                            + "machine load average at the end: %s%n"
                            + "goals: errors = 0: %s; cache-hit p99 < 2 ms (open loop): %s (%.3f ms)%n",
                    clients, clientKind.equals("jdk") ? "JDK HttpClient" : "one socket per client thread",
                    latencyMs, maxCalls, nItems, server.health().cache(), thinkMs, clients * 1000.0 / thinkMs,
                    warm.requests() == 0 ? "no JIT warm-up (--warmup-seconds 0)" : String.format(Locale.ROOT,
                            "a closed-loop warm-up of %d hits in %.1f s (JIT compiled %d ms in its last second)",
                            warm.requests(), warm.seconds(), warm.lastSecondJitMs()),
                    "phase", "requests", "errors", "p50 ms", "p90 ms", "p99 ms", "max ms", "req/s", "CPU ms/req",
                    "service p50/p99 ms",
                    miss.row(missInternal), hit.row(hitInternal), hit.breakdown() + hit.cpuSplit(), sat == null ? "" : sat.row(satInternal) + "\n",
                    llmCalls, clients, llm.calls() - callsBefore - llmCalls,
                    mem.peakHeapMiB(), mem.peakRssMiB(), loadAverage(),
                    errors == 0 ? "PASS" : "FAIL", hit.p(0.99) < 2.0 ? "PASS" : "FAIL", hit.p(0.99));
            ctx.out().print(table);
            Map<String, Object> protocol = new LinkedHashMap<>();
            protocol.put("clients", clients);
            protocol.put("latencyMs", latencyMs);
            protocol.put("hitRounds", rounds);
            protocol.put("thinkMs", thinkMs);
            protocol.put("saturationRounds", satRounds);
            protocol.put("warmupMaxSeconds", warmSeconds);
            protocol.put("warmupHits", warm.requests());
            protocol.put("warmupSeconds", warm.seconds());
            protocol.put("warmupLastSecondJitMs", warm.lastSecondJitMs());
            protocol.put("items", nItems);
            protocol.put("maxConcurrentCalls", maxCalls);
            protocol.put("transport", "loopback HTTP/1.1 keep-alive, " + clientKind + " client");
            protocol.put("latency", "client-observed, exact; hit phase from the scheduled send time (open loop)");
            result.put("protocol", protocol);
            result.put("miss", miss.summary());
            result.put("hit", hit.summary());
            result.put("hitSplit", hit.breakdownSummary());
            if (sat != null) result.put("hitSaturation", sat.summary());
            Map<String, Object> internal = new LinkedHashMap<>();
            internal.put("miss", missInternal.summary());
            internal.put("hit", hitInternal.summary());
            if (satInternal != null) internal.put("hitSaturation", satInternal.summary());
            result.put("serviceInternal", internal);
            result.put("llmCallsMissPhase", llmCalls);
            result.put("peakHeapMiB", Math.round(mem.peakHeapMiB()));
            result.put("peakRssMiB", mem.peakRssMiB());
            result.put("loadAverage", loadAverage());
            result.put("toolVersion", ToolVersion.get());
            if (cl.hasOption("out")) AtomicOutput.text(ctx.path(cl.getOptionValue("out")), Json.pretty(result));
            return errors == 0 ? 0 : 1;
        } finally {
            mem.stop();
            AtomicOutput.deleteRecursively(tmpDir);
        }
    }

    /** What the warm-up did: closed-loop hit requests, seconds, and the JIT compile time in its last second. */
    record Warmup(long requests, double seconds, long lastSecondJitMs) {}

    /**
     * Closed-loop hit rounds (every client re-asking back to back) until the JIT compiled less than 50 ms in the last
     * second (and at least 5 s), or {@code maxSeconds}. Closed loop: it pushes the hit path through the compiler's
     * thresholds in seconds, where the open loop's 500 req/s would take minutes.
     */
    private static Warmup warmUp(List<Caller> callers, List<InterestRequest> reqs, int maxSeconds, CommandContext ctx)
            throws InterruptedException {
        if (maxSeconds <= 0) return new Warmup(0, 0, -1);
        var jit = ManagementFactory.getCompilationMXBean();
        long t0 = System.nanoTime();
        long n = 0;
        long lastJit = Long.MAX_VALUE;
        while (true) {
            long s0 = System.nanoTime();
            long j0 = jit.getTotalCompilationTime();
            while (System.nanoTime() - s0 < 1_000_000_000L) {
                runPhase(callers, reqs, 4, 0, true, null, ctx);
                n += 4L * reqs.size();
            }
            lastJit = jit.getTotalCompilationTime() - j0;
            double el = (System.nanoTime() - t0) / 1e9;
            if (lastJit < 50 && el >= 5 || el >= maxSeconds) {
                ctx.err().printf(Locale.ROOT, "bench llm-service: warm-up %d hits in %.1f s, JIT %d ms in its last"
                        + " second%n", n, el, lastJit);
                return new Warmup(n, el, lastJit);
            }
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
        /** Open loop only: actual send minus scheduled send (the client's own lateness), per request. */
        final long[] lateNanos;
        /** Open loop only: answer minus actual send (what the server and the loopback path took), per request. */
        final long[] responseNanos;
        final AtomicLong errors = new AtomicLong();
        final AtomicLong next = new AtomicLong();
        double seconds;
        double cpuSeconds;
        /** CPU seconds of the phase by thread group: bench clients, service HTTP threads, the rest (see cpuSplit). */
        final AtomicLong clientCpuNanos = new AtomicLong();
        double serviceCpuSeconds;
        double serviceUserCpuSeconds;
        /** JIT compile time during the phase (the compiler threads' elapsed time, from CompilationMXBean). */
        long jitMs;
        volatile String firstError;

        Phase(String name, int n) {
            this.name = name;
            this.nanos = new long[n];
            this.lateNanos = new long[n];
            this.responseNanos = new long[n];
        }

        double p(double q) {
            return p(nanos, q);
        }

        static double p(long[] values, double q) {
            long[] s = values.clone();
            Arrays.sort(s);
            int i = (int) Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
            return s[i] / 1e6;
        }

        String row(LatencyHistogram internal) {
            return String.format(Locale.ROOT, "%-7s %9d %7d %9.3f %9.3f %9.3f %9.3f %10.0f %12.3f %22s", name,
                    nanos.length, errors.get(), p(0.5), p(0.9), p(0.99), p(1.0), nanos.length / seconds,
                    cpuSeconds * 1000 / nanos.length, String.format(Locale.ROOT, "%.3f / %.3f",
                            internal.percentileMs(0.5), internal.percentileMs(0.99)))
                    + (firstError == null ? "" : "   first error: " + firstError);
        }

        /** The open loop's headline split: send lateness (client side) and response time (actual send to answer). */
        String breakdown() {
            return String.format(Locale.ROOT, "  %-20s %9.3f %9.3f %9.3f %9.3f%n  %-20s %9.3f %9.3f %9.3f %9.3f%n",
                    "send lateness", p(lateNanos, 0.5), p(lateNanos, 0.9), p(lateNanos, 0.99), p(lateNanos, 1.0),
                    "response time", p(responseNanos, 0.5), p(responseNanos, 0.9), p(responseNanos, 0.99),
                    p(responseNanos, 1.0));
        }

        /** CPU ms per request of the clients, the service's HTTP threads and everything else (GC, JIT, fake LLM). */
        String cpuSplit() {
            double client = clientCpuNanos.get() / 1e6 / nanos.length;
            double service = serviceCpuSeconds * 1000 / nanos.length;
            double total = cpuSeconds * 1000 / nanos.length;
            return String.format(Locale.ROOT, "  CPU ms/req split: clients %.3f, service HTTP threads %.3f (of it"
                    + " kernel %.3f), rest (GC, JIT, other JVM threads) %.3f; JIT compiling during the phase: %d ms%n",
                    client, service, service - serviceUserCpuSeconds * 1000 / nanos.length, total - client - service,
                    jitMs);
        }

        Map<String, Object> breakdownSummary() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clientCpuMsPerRequest", clientCpuNanos.get() / 1e6 / nanos.length);
            m.put("serviceHttpCpuMsPerRequest", serviceCpuSeconds * 1000 / nanos.length);
            m.put("serviceHttpKernelCpuMsPerRequest", (serviceCpuSeconds - serviceUserCpuSeconds) * 1000 / nanos.length);
            m.put("jitCompileMsDuringPhase", jitMs);
            for (var e : Map.of("sendLateness", lateNanos, "responseTime", responseNanos).entrySet()) {
                Map<String, Object> q = new LinkedHashMap<>();
                q.put("p50Ms", p(e.getValue(), 0.5));
                q.put("p90Ms", p(e.getValue(), 0.9));
                q.put("p99Ms", p(e.getValue(), 0.99));
                q.put("maxMs", p(e.getValue(), 1.0));
                m.put(e.getKey(), q);
            }
            return m;
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

    /** One client's way of asking the service (one instance per client thread). */
    interface Caller {
        InterestResponse call(InterestRequest r) throws Exception;
    }

    private record SocketCaller(SocketHttpClient http) implements Caller {
        @Override
        public InterestResponse call(InterestRequest r) throws Exception {
            return http.interests(r);
        }
    }

    /**
     * Runs one phase: a thread per request list entry asks {@code rounds} times, entry i through caller i (each
     * caller is used by one thread at a time; thread start and join order the hand-overs between phases). {@code periodMs} 0 is a closed loop
     * (latency from the actual send); otherwise client c sends at {@code start + c*period/clients + i*period} and
     * latency runs from that scheduled time.
     */
    private static Phase runPhase(List<Caller> callers, List<InterestRequest> reqs, int rounds,
                                  int periodMs, boolean expectHit, String name, CommandContext ctx)
            throws InterruptedException {
        Phase ph = new Phase(name, reqs.size() * rounds);
        Progress progress = name == null ? null
                : new Progress("bench llm-service " + name, ph.nanos.length, ctx.err(), Duration.ofSeconds(2));
        CountDownLatch ready = new CountDownLatch(reqs.size());
        CountDownLatch go = new CountDownLatch(1);
        long[] start = new long[1];
        long period = periodMs * 1_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int ci = 0; ci < reqs.size(); ci++) {
            InterestRequest r = reqs.get(ci);
            long offset = period * ci / reqs.size();
            int client = ci;
            Thread t = new Thread(() -> {
                Caller caller = callers.get(client);
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long cpuStart = THREADS.getCurrentThreadCpuTime();
                for (int k = 0; k < rounds; k++) {
                    long t0;
                    if (period > 0) {
                        t0 = start[0] + offset + k * period;
                        for (long wait = t0 - System.nanoTime(); wait > 0; wait = t0 - System.nanoTime()) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                    } else {
                        t0 = System.nanoTime();
                    }
                    long sent = System.nanoTime();
                    String err = null;
                    try {
                        InterestResponse resp = caller.call(r);
                        if (!resp.ok()) err = "failed: " + resp.error();
                        else if (resp.cached() != expectHit) err = expectHit ? "expected a cache hit" : "unexpected hit";
                    } catch (Exception e) {
                        err = e.getMessage();
                    }
                    long done = System.nanoTime();
                    int slot = (int) ph.next.getAndIncrement();
                    ph.nanos[slot] = done - t0;
                    ph.lateNanos[slot] = sent - t0;
                    ph.responseNanos[slot] = done - sent;
                    if (err != null) {
                        ph.errors.incrementAndGet();
                        if (ph.firstError == null) ph.firstError = err;
                    }
                    if (progress != null) progress.advance(1, null);
                }
                ph.clientCpuNanos.addAndGet(THREADS.getCurrentThreadCpuTime() - cpuStart);
            }, "bench-client");
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        ready.await();
        Map<Long, Long> service0 = serviceThreadCpu();
        Map<Long, Long> serviceUser0 = serviceThreadCpu(true);
        long cpu0 = processCpuNanos();
        long jit0 = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        long t0 = System.nanoTime();
        start[0] = t0;
        go.countDown();
        for (Thread t : threads) t.join();
        ph.seconds = (System.nanoTime() - t0) / 1e9;
        ph.cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
        ph.jitMs = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit0;
        long serviceNanos = 0;
        for (var e : serviceThreadCpu().entrySet()) serviceNanos += e.getValue() - service0.getOrDefault(e.getKey(), 0L);
        ph.serviceCpuSeconds = serviceNanos / 1e9;
        long userNanos = 0;
        for (var e : serviceThreadCpu(true).entrySet()) userNanos += e.getValue() - serviceUser0.getOrDefault(e.getKey(), 0L);
        ph.serviceUserCpuSeconds = userNanos / 1e9;
        if (progress != null) progress.finish(null);
        return ph;
    }

    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU time so far of each live service HTTP thread (Jetty's pool, named {@code llm-http}), by thread id. */
    static Map<Long, Long> serviceThreadCpu() {
        return serviceThreadCpu(false);
    }

    /** As {@link #serviceThreadCpu()}, user-mode time only when {@code userOnly} (the rest is kernel time). */
    static Map<Long, Long> serviceThreadCpu(boolean userOnly) {
        Map<Long, Long> m = new java.util.HashMap<>();
        for (java.lang.management.ThreadInfo ti : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (ti != null && ti.getThreadName().startsWith(LlmServer.HTTP_THREAD_NAME)) {
                long c = userOnly ? THREADS.getThreadUserTime(ti.getThreadId())
                        : THREADS.getThreadCpuTime(ti.getThreadId());
                if (c >= 0) m.put(ti.getThreadId(), c);
            }
        }
        return m;
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
