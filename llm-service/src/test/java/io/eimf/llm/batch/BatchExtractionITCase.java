package io.eimf.llm.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.Eimf;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.dataset.UserSequence;
import io.eimf.core.semantic.ClusterSet;
import io.eimf.core.semantic.ExtractionFailure;
import io.eimf.core.semantic.SemanticInterest;
import io.eimf.core.semantic.SemanticInterestDataset;
import io.eimf.core.semantic.UserInterests;
import io.eimf.llm.api.InterestItem;
import io.eimf.llm.api.InterestRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchExtractionITCase {
    @TempDir Path tmp;
    FakeLlmService fake;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        fake = new FakeLlmService();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    int extract(String... extra) {
        List<String> args = new ArrayList<>(List.of("extract", "--clusters", tmp.resolve("clusters").toString(),
                "--data", tmp.resolve("ds").toString(), "--out", tmp.resolve("interests").toString(),
                "--llm-url", fake.url()));
        args.addAll(Arrays.asList(extra));
        return new Eimf(List.of(new ExtractCommand()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args.toArray(new String[0]));
    }

    /** Written out independently of SamplePrompts: the last {@code max} distinct items at their last position. */
    static int[] recentDistinct(int[] visible, int max) {
        List<Integer> out = new ArrayList<>();
        for (int i = visible.length - 1; i >= 0 && out.size() < max; i--) {
            if (!out.contains(visible[i])) out.add(0, visible[i]);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static int[] ids(InterestRequest r) {
        return r.items().stream().map(InterestItem::id).mapToInt(Integer::parseInt).toArray();
    }

    @Test
    void comirecPromptsHoldOnlyTrainUsersVisibleItemsInTimeOrder() throws Exception {
        PreparedDataset ds = EsimFixtures.dataset(tmp.resolve("ds"), 60, false);
        ClusterSet cs = EsimFixtures.clusters(tmp.resolve("clusters"), ds, 4, null, 30);
        assertEquals(0, extract("--max-prompt-items", "20", "--concurrency", "3"), err.toString());

        assertEquals(30, fake.requests.size());
        for (InterestRequest r : fake.requests) {
            UserSequence s = ds.sequences().get(Integer.parseInt(r.userId()));
            assertEquals(SplitRole.TRAIN, s.role(), "prompted a " + s.role() + " user");
            int[] expected = recentDistinct(s.promptVisibleItems(), 20);
            assertArrayEquals(expected, ids(r), "user " + s.user() + ": not the most recent visible items in order");
            assertEquals(Arrays.stream(ids(r)).distinct().count(), ids(r).length, "repeated item in a prompt");
            for (InterestItem it : r.items()) {
                assertEquals(ds.item(Integer.parseInt(it.id())).text(), it.text());
            }
        }
        // Every held-out user's targets are absent from every prompt's set of users.
        Set<String> asked = new HashSet<>(fake.requestedUsers());
        for (UserSequence s : ds.sequences()) {
            if (s.role() != SplitRole.TRAIN) assertFalse(asked.contains(String.valueOf(s.user())));
        }

        SemanticInterestDataset sid = SemanticInterestDataset.read(tmp.resolve("interests"));
        assertEquals(30, sid.users().size());
        assertEquals(0, sid.failures().size());
        assertEquals("fake", sid.manifest().provider());
        assertEquals("fake-1", sid.manifest().model());
        assertEquals("t1", sid.manifest().templateVersion());
        assertEquals("fake-embed", sid.manifest().embeddingModel());
        assertEquals(8, sid.manifest().embeddingDimension());
        assertEquals(30, sid.manifest().totals().llmCalls());
        assertEquals(cs.manifest().contentHash(), sid.manifest().clusters().contentHash());
        long tokens = 0;
        for (InterestRequest r : fake.requests) tokens += 10L * r.items().size();
        assertEquals(tokens, sid.manifest().totals().promptTokens());
        for (UserInterests u : sid.users()) {
            Set<Integer> shown = new HashSet<>();
            for (int i : ds.sequences().get(u.user()).promptVisibleItems()) shown.add(i);
            assertFalse(u.interests().isEmpty());
            for (SemanticInterest si : u.interests()) {
                assertEquals(8, si.embedding().length);
                for (int e : si.evidence()) assertTrue(shown.contains(e), "evidence " + e + " was never shown");
            }
        }
        assertTrue(out.toString().contains("| 30 | 30 | 0 | 30 | 0 | 0 | 0 |"), out.toString());
        assertFalse(Files.exists(tmp.resolve("interests.journal.jsonl")), "journal kept after a clean run");
        // An existing output is refused before any call.
        fake.reset();
        assertEquals(1, extract());
        assertEquals(0, fake.requests.size());
    }

    @Test
    void looPromptsNeverShowTheLastTwoItems() throws Exception {
        PreparedDataset ds = EsimFixtures.dataset(tmp.resolve("ds"), 20, true);
        EsimFixtures.clusters(tmp.resolve("clusters"), ds, 2, null, 20);
        assertEquals(0, extract("--max-prompt-items", "100"), err.toString());
        assertEquals(20, fake.requests.size());
        for (InterestRequest r : fake.requests) {
            int[] items = ds.sequences().get(Integer.parseInt(r.userId())).items();
            assertArrayEquals(recentDistinct(Arrays.copyOf(items, items.length - 2), 100), ids(r));
        }
    }

    @Test
    void aHeldOutSampleStopsTheRunBeforeAnyCall() throws Exception {
        PreparedDataset ds = EsimFixtures.dataset(tmp.resolve("ds"), 30, false);
        // User 8 is a valid user, 19 a test user: a corrupt or hand-edited clusters directory.
        EsimFixtures.clusters(tmp.resolve("clusters"), ds, 2, List.of(0, 1, 8, 19), 0);
        assertEquals(1, extract());
        assertTrue(err.toString().contains("valid user"), err.toString());
        assertEquals(0, fake.requests.size());
        assertFalse(Files.exists(tmp.resolve("interests")));
    }

    @Test
    void retriesFailedSamplesListsTheLostOnesAndARerunAsksOnlyForThem() throws Exception {
        PreparedDataset ds = EsimFixtures.dataset(tmp.resolve("ds"), 20, false);
        EsimFixtures.clusters(tmp.resolve("clusters"), ds, 2, List.of(0, 1, 2, 3, 4), 0);
        fake.failUser(1, 1);   // recovers on its first retry
        fake.failUser(3, 100); // never recovers
        assertEquals(0, extract("--retries", "2"), err.toString());
        SemanticInterestDataset sid = SemanticInterestDataset.read(tmp.resolve("interests"));
        assertEquals(4, sid.users().size());
        assertEquals(1, sid.failures().size());
        ExtractionFailure f = sid.failures().get(0);
        assertEquals(3, f.user());
        assertEquals(3, f.attempts());
        assertTrue(f.reason().contains("planned failure"), f.reason());
        assertEquals(3 + 2 + 3, sid.manifest().totals().llmCalls()); // 3 users ok at once, user 1 twice, user 3 three times
        assertEquals(1 + 2, sid.manifest().totals().retries());
        assertTrue(err.toString().contains("failed: user u4"), err.toString());
        Path journal = tmp.resolve("interests.journal.jsonl");
        assertTrue(Files.exists(journal), "journal must be kept while samples failed");

        // The LLM recovers; a rerun asks only for the failed sample.
        fake.failuresLeft.clear();
        fake.reset();
        assertEquals(0, extract("--overwrite"), err.toString());
        assertEquals(List.of("3"), fake.requestedUsers());
        sid = SemanticInterestDataset.read(tmp.resolve("interests"));
        assertEquals(5, sid.users().size());
        assertEquals(0, sid.failures().size());
        assertEquals(4, sid.manifest().totals().resumed());
        assertEquals(3 + 2 + 3 + 1, sid.manifest().totals().llmCalls());
        assertFalse(Files.exists(journal));
    }

    @Test
    void batchesGoToTheBatchEndpointAndOnlyFailedSamplesAreAskedAgain() throws Exception {
        PreparedDataset ds = EsimFixtures.dataset(tmp.resolve("ds"), 20, false);
        EsimFixtures.clusters(tmp.resolve("clusters"), ds, 2, List.of(0, 1, 2, 3, 4), 0);
        fake.failUser(1, 1); // fails inside the first batch, recovers when asked alone
        assertEquals(0, extract("--batch-size", "3", "--concurrency", "1", "--retries", "2"), err.toString());
        SemanticInterestDataset sid = SemanticInterestDataset.read(tmp.resolve("interests"));
        assertEquals(5, sid.users().size());
        assertEquals(0, sid.failures().size());
        // Two batch calls (3 + 2 samples), then user 1 alone on the single endpoint.
        assertEquals(2, fake.batchCalls.get());
        List<String> asked = fake.requestedUsers();
        assertEquals(6, asked.size(), asked.toString());
        assertEquals(List.of("0", "1", "2", "3", "4"), asked.subList(0, 5).stream().sorted().toList());
        assertEquals("1", asked.get(5));
        assertEquals(6, sid.manifest().totals().llmCalls());
        assertEquals(1, sid.manifest().totals().retries());
    }

    @Test
    void neverHasMoreRequestsInFlightThanTheConcurrency() throws Exception {
        PreparedDataset ds = EsimFixtures.dataset(tmp.resolve("ds"), 40, false);
        EsimFixtures.clusters(tmp.resolve("clusters"), ds, 3, null, 24);
        fake.delayMs = 50;
        assertEquals(0, extract("--concurrency", "3"), err.toString());
        assertEquals(24, fake.requests.size());
        assertTrue(fake.maxInFlight.get() <= 3, "in flight " + fake.maxInFlight.get());
        assertTrue(fake.maxInFlight.get() >= 2, "requests never overlapped: " + fake.maxInFlight.get());
    }

    @Test
    void aKilledRunResumesWithoutRepeatingFinishedCalls() throws Exception {
        PreparedDataset ds = EsimFixtures.dataset(tmp.resolve("ds"), 40, false);
        EsimFixtures.clusters(tmp.resolve("clusters"), ds, 3, null, 20);
        fake.holdAfter = 6; // answers 6 requests, then holds every further one until the process is killed
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                Eimf.class.getName(), "extract", "--clusters", tmp.resolve("clusters").toString(), "--data",
                tmp.resolve("ds").toString(), "--out", tmp.resolve("interests").toString(), "--llm-url", fake.url(),
                "--concurrency", "2").redirectErrorStream(true).redirectOutput(tmp.resolve("run1.log").toFile())
                .start();
        Path journal = tmp.resolve("interests.journal.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (journalEntries(journal) < 6 && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(100);
        assertTrue(p.isAlive(), "extraction ended early: " + Files.readString(tmp.resolve("run1.log")));
        assertEquals(6, journalEntries(journal), Files.readString(tmp.resolve("run1.log")));
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertFalse(Files.exists(tmp.resolve("interests")), "a killed run must not leave an output");
        Set<String> doneBefore = new HashSet<>();
        for (String line : Files.readAllLines(journal).subList(1, 7)) {
            doneBefore.add(String.valueOf(io.eimf.core.json.Json.mapper().readTree(line).get("user").asInt()));
        }
        int calledBefore = fake.requests.size(); // 6 answered + those held when killed

        fake.release();
        fake.reset();
        assertEquals(0, extract("--concurrency", "2"), err.toString());
        List<String> asked = fake.requestedUsers();
        assertEquals(20 - 6, asked.size(), "asked again: " + asked);
        for (String u : asked) assertFalse(doneBefore.contains(u), "repeated finished user " + u);
        SemanticInterestDataset sid = SemanticInterestDataset.read(tmp.resolve("interests"));
        assertEquals(20, sid.users().size());
        assertEquals(6, sid.manifest().totals().resumed());
        assertEquals(20, sid.manifest().totals().llmCalls()); // held calls of the killed run never finished
        assertTrue(calledBefore >= 6 && calledBefore <= 8, "run 1 sent " + calledBefore);
        assertTrue(err.toString().contains("resuming from"), err.toString());
        assertNotNull(sid.manifest().contentHash());
    }

    @Test
    void killedAtRandomMomentsSeveralTimesThenResumedWritesTheBytesOfAnUninterruptedRun() throws Exception {
        PreparedDataset ds = EsimFixtures.dataset(tmp.resolve("ds"), 40, false);
        EsimFixtures.clusters(tmp.resolve("clusters"), ds, 3, null, 24);
        assertEquals(0, extract("--concurrency", "2"), err.toString());
        Files.move(tmp.resolve("interests"), tmp.resolve("reference"));
        Files.deleteIfExists(tmp.resolve("interests.journal.jsonl"));

        fake.reset();
        fake.delayMs = 40; // slow answers, so each kill lands mid-run
        Path journal = tmp.resolve("interests.journal.jsonl");
        Path log = tmp.resolve("children.log");
        java.util.Random rnd = new java.util.Random(20261208);
        long done = 0;
        for (int round = 0; round < 3; round++) {
            Process p = io.eimf.core.testing.ChildJvm.eimf(log, java.util.Map.of(), List.of(), "extract", "--clusters",
                    tmp.resolve("clusters").toString(), "--data", tmp.resolve("ds").toString(), "--out",
                    tmp.resolve("interests").toString(), "--llm-url", fake.url(), "--concurrency", "2");
            long target = done + 2 + rnd.nextInt(4);
            boolean reached = io.eimf.core.testing.ChildJvm.awaitCondition(p, java.time.Duration.ofSeconds(90),
                    () -> journalEntriesQuietly(journal) >= target);
            Thread.sleep(rnd.nextInt(60));
            assertTrue(reached && p.isAlive(), "round " + round + ": ended before " + target + " samples\n"
                    + io.eimf.core.testing.ChildJvm.tail(log));
            io.eimf.core.testing.ChildJvm.kill(p);
            assertFalse(Files.exists(tmp.resolve("interests")), "a killed run must not leave an output");
            done = journalEntries(journal);
        }
        fake.delayMs = 0;
        assertEquals(0, extract("--concurrency", "2"), err.toString());
        for (String f : List.of(SemanticInterestDataset.INTERESTS, SemanticInterestDataset.FAILURES)) {
            Path want = tmp.resolve("reference").resolve(f);
            Path got = tmp.resolve("interests").resolve(f);
            assertEquals(Files.exists(want), Files.exists(got), f);
            if (Files.exists(want)) assertArrayEquals(Files.readAllBytes(want), Files.readAllBytes(got), f);
        }
        SemanticInterestDataset sid = SemanticInterestDataset.read(tmp.resolve("interests"));
        SemanticInterestDataset ref = SemanticInterestDataset.read(tmp.resolve("reference"));
        assertEquals(ref.manifest().contentHash(), sid.manifest().contentHash());
        assertTrue(sid.manifest().totals().resumed() >= done - 1, "resumed " + sid.manifest().totals().resumed());
    }

    private static long journalEntriesQuietly(Path journal) {
        try {
            return journalEntries(journal);
        } catch (Exception e) {
            return 0;
        }
    }

    private static long journalEntries(Path journal) throws Exception {
        if (!Files.exists(journal)) return 0;
        return Math.max(0, Files.readAllLines(journal).stream().filter(l -> l.endsWith("}")).count() - 1);
    }
}
