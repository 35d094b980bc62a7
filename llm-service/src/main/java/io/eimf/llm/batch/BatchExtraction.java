package io.eimf.llm.batch;

import io.eimf.core.cli.EimfException;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.progress.Progress;
import io.eimf.core.semantic.ClusterSet;
import io.eimf.core.semantic.ClusterSet.TypicalSample;
import io.eimf.core.semantic.ClustersManifest;
import io.eimf.core.semantic.ExtractionFailure;
import io.eimf.core.semantic.SemanticInterest;
import io.eimf.core.semantic.SemanticInterestDataset;
import io.eimf.core.semantic.SemanticManifest;
import io.eimf.core.semantic.UserInterests;
import io.eimf.llm.api.EmbedResponse;
import io.eimf.llm.api.Health;
import io.eimf.llm.api.Interest;
import io.eimf.llm.api.InterestRequest;
import io.eimf.llm.api.InterestResponse;
import io.eimf.llm.client.LlmServiceClient;
import io.eimf.llm.client.LlmServiceException;
import io.eimf.llm.retry.RetryPolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Asks llm-service for the interests of every typical sample of a clusters directory and writes the
 * semantic-interest dataset. At most {@code concurrency} requests are in flight; a sample whose answer fails is
 * retried up to {@code retries} times with jittered backoff; every finished sample goes to an
 * {@link ExtractionJournal} first, so a killed run resumes with only the missing samples. Samples that still fail
 * are written to {@code failures.jsonl} with their reason, never dropped.
 */
public final class BatchExtraction {

    /**
     * @param clusters clusters directory ({@code eimf cluster})
     * @param dataset the prepared dataset it was made from
     * @param out semantic-interest directory to write
     * @param journal the progress journal (default: {@code <out>.journal.jsonl})
     * @param concurrency most requests in flight
     * @param retries extra attempts for a failed sample
     * @param maxPromptItems most items one prompt shows (the most recent prompt-visible ones)
     * @param minInterests least interests asked for
     * @param maxInterests most interests asked for
     * @param overwrite replace an existing output
     */
    public record Options(Path clusters, Path dataset, Path out, Path journal, int concurrency, int retries,
                          int maxPromptItems, int minInterests, int maxInterests, boolean overwrite) {
        public Options {
            if (concurrency < 1) throw new EimfException("--concurrency must be at least 1");
            if (retries < 0) throw new EimfException("--retries must be >= 0");
            if (maxPromptItems < 1) throw new EimfException("--max-prompt-items must be at least 1");
            if (minInterests < 1 || maxInterests < minInterests) {
                throw new EimfException("need 1 <= --min-interests <= --max-interests");
            }
            if (journal == null) journal = out.resolveSibling(out.getFileName() + ".journal.jsonl");
        }
    }

    /**
     * @param manifest the sealed manifest
     * @param out where the dataset was written
     * @param failures samples without interests
     * @param journalKept the journal, kept because some samples failed (a rerun retries only them); null if deleted
     * @param thisRunCalls interest requests sent by this run
     */
    public record Outcome(SemanticManifest manifest, Path out, List<ExtractionFailure> failures, Path journalKept,
                          long thisRunCalls) {}

    private final Options o;
    private final LlmServiceClient client;
    private final PrintStream err;
    private RetryPolicy backoff = new RetryPolicy(0, Duration.ofMillis(200), Duration.ofSeconds(5));

    /** An extraction through {@code client}; the client's own transport retries are turned off (counted here). */
    public BatchExtraction(Options o, LlmServiceClient client, PrintStream err) {
        this.o = o;
        this.client = client.withRetry(RetryPolicy.none());
        this.err = err;
    }

    /** Backoff between a sample's attempts (default: jittered, 200 ms doubling to 5 s). */
    public BatchExtraction withBackoff(Duration initial, Duration max) {
        this.backoff = new RetryPolicy(0, initial, max);
        return this;
    }

    /** Result of one sample in this run. */
    private record Finished(ExtractionJournal.Entry entry, int totalAttempts) {}

    /** Runs the extraction and writes the output. */
    public Outcome run() throws Exception {
        ClusterSet cs;
        PreparedDataset ds;
        try {
            cs = ClusterSet.read(o.clusters());
            ds = PreparedDataset.read(o.dataset());
        } catch (IOException e) {
            throw new EimfException(e.getMessage(), e);
        }
        ClustersManifest cm = cs.manifest();
        if (!ds.manifest().contentHash().equals(cm.dataset().contentHash())) {
            throw new EimfException(o.dataset() + ": dataset content hash " + ds.manifest().contentHash()
                    + " differs from the one the clusters were made from (" + cm.dataset().contentHash() + ", "
                    + cm.dataset().path() + ")");
        }
        Path out = o.out().toAbsolutePath().normalize();
        if (Files.exists(out) && !o.overwrite()) {
            throw new EimfException(out + " already exists (pass --overwrite to replace it)");
        }
        Health health;
        try {
            health = client.health();
        } catch (LlmServiceException e) {
            throw new EimfException("llm-service at " + client.baseUri() + " is not usable (" + e.getMessage()
                    + "); start it with 'eimf llm-service' or leave out --llm-url to run one in-process", e);
        }
        SamplePrompts prompts = new SamplePrompts(ds, o.maxPromptItems(), o.minInterests(), o.maxInterests());
        Map<String, Object> promptSettings = new LinkedHashMap<>();
        promptSettings.put("maxPromptItems", o.maxPromptItems());
        promptSettings.put("minInterests", o.minInterests());
        promptSettings.put("maxInterests", o.maxInterests());
        promptSettings.put("provider", health.provider());
        promptSettings.put("model", health.model());
        promptSettings.put("templateVersion", health.templateVersion());
        promptSettings.put("embeddingModel", health.embeddingModel());
        ExtractionJournal.Header header = new ExtractionJournal.Header(1, cm.contentHash(),
                ds.manifest().contentHash(), promptSettings);

        long start = System.nanoTime();
        try (ExtractionJournal journal = ExtractionJournal.open(o.journal(), header)) {
            Map<Integer, ExtractionJournal.Entry> done = journal.previouslyDone();
            Map<Integer, Integer> earlierAttempts = new HashMap<>();
            for (ExtractionJournal.Entry e : journal.previous()) earlierAttempts.merge(e.user(), e.calls(), Integer::sum);
            List<TypicalSample> todo = new ArrayList<>();
            for (TypicalSample s : cs.samples()) if (!done.containsKey(s.user())) todo.add(s);
            // Build every prompt before the first call: a sample that must not be prompted (a valid/test user)
            // stops the run before anything is sent.
            Map<Integer, InterestRequest> requests = new HashMap<>();
            for (TypicalSample s : todo) {
                try {
                    requests.put(s.user(), prompts.request(s));
                } catch (IllegalStateException | IllegalArgumentException e) {
                    throw new EimfException(o.clusters().resolve(ClusterSet.SAMPLES) + ": sample user "
                            + s.rawUser() + ": " + e.getMessage());
                }
            }
            if (!journal.previous().isEmpty()) {
                err.printf("[extract] resuming from %s (run %d): %d of %d samples already done, asking for %d%n",
                        journal.file(), journal.run(), cs.samples().size() - todo.size(), cs.samples().size(),
                        todo.size());
            }

            Progress progress = new Progress("extract", todo.size(), err, Duration.ofSeconds(5));
            ExecutorService pool = Executors.newFixedThreadPool(o.concurrency(), r -> {
                Thread t = new Thread(r, "eimf-extract");
                t.setDaemon(true);
                return t;
            });
            List<Future<Finished>> futures = new ArrayList<>();
            try {
                for (TypicalSample s : todo) {
                    int before = earlierAttempts.getOrDefault(s.user(), 0);
                    futures.add(pool.submit(() -> {
                        Finished f = extractOne(s, requests.get(s.user()), journal, start, before);
                        progress.advance(1, f.entry().type().equals(ExtractionJournal.Entry.DONE) ? ""
                                : "user " + s.rawUser() + " failed: " + f.entry().reason());
                        return f;
                    }));
                }
                List<Finished> finished = new ArrayList<>();
                for (Future<Finished> f : futures) finished.add(f.get());
                progress.finish("");
                return write(cs, ds, journal, done, finished, health, (System.nanoTime() - start) / 1e9, out);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private Finished extractOne(TypicalSample s, InterestRequest req, ExtractionJournal journal, long start,
                                int earlierAttempts) throws IOException, InterruptedException {
        int calls = 0, hits = 0;
        long promptTokens = 0, completionTokens = 0;
        String reason = null;
        for (int attempt = 0; attempt <= o.retries(); attempt++) {
            if (attempt > 0) backoff.sleep(attempt - 1);
            calls++;
            try {
                InterestResponse r = client.interests(req);
                if (r.cached()) hits++;
                if (r.tokens() != null) {
                    promptTokens += r.tokens().promptTokens();
                    completionTokens += r.tokens().completionTokens();
                }
                if (!r.ok()) {
                    reason = "llm-service: " + (r.error() == null ? "failed without a reason" : r.error());
                    continue;
                }
                UserInterests ui = interests(s, req, r);
                ExtractionJournal.Entry e = new ExtractionJournal.Entry(ExtractionJournal.Entry.DONE, s.user(),
                        journal.run(), seconds(start), calls, hits, promptTokens, completionTokens, ui, null);
                journal.append(e);
                return new Finished(e, earlierAttempts + calls);
            } catch (LlmServiceException e) {
                reason = e.getMessage();
                // 400/401/413 are refusals of this request: asking again cannot help.
                if (e.status() == 400 || e.status() == 401 || e.status() == 413) break;
            } catch (InvalidAnswerException e) {
                reason = e.getMessage();
            }
        }
        ExtractionJournal.Entry e = new ExtractionJournal.Entry(ExtractionJournal.Entry.FAILED, s.user(),
                journal.run(), seconds(start), calls, hits, promptTokens, completionTokens, null, reason);
        journal.append(e);
        return new Finished(e, earlierAttempts + calls);
    }

    /** An answer that passed llm-service but not our checks (e.g. evidence outside the prompt). */
    static final class InvalidAnswerException extends Exception {
        InvalidAnswerException(String m) {
            super(m);
        }
    }

    private UserInterests interests(TypicalSample s, InterestRequest req, InterestResponse r)
            throws InvalidAnswerException {
        Set<String> shown = new LinkedHashSet<>();
        req.items().forEach(i -> shown.add(i.id()));
        List<String> texts = new ArrayList<>();
        for (Interest i : r.interests()) texts.add(i.name() + ": " + (i.description() == null ? "" : i.description()));
        if (texts.isEmpty()) throw new InvalidAnswerException("llm-service answered ok with no interests");
        EmbedResponse emb = client.embed(texts);
        if (emb.vectors().size() != texts.size()) {
            throw new InvalidAnswerException("llm-service embedded " + emb.vectors().size() + " of " + texts.size()
                    + " interest texts");
        }
        List<SemanticInterest> out = new ArrayList<>();
        for (int k = 0; k < r.interests().size(); k++) {
            Interest i = r.interests().get(k);
            int[] evidence = new int[i.evidence().size()];
            for (int j = 0; j < evidence.length; j++) {
                String id = i.evidence().get(j);
                if (!shown.contains(id)) {
                    throw new InvalidAnswerException("interest '" + i.name() + "' cites item " + id
                            + ", which the prompt did not show");
                }
                evidence[j] = Integer.parseInt(id);
            }
            out.add(new SemanticInterest(i.name(), i.description(), evidence, emb.vectors().get(k)));
        }
        return new UserInterests(s.user(), s.rawUser(), s.cluster(), req.items().size(), out, r.provider(), r.model(),
                r.templateVersion(), r.cached());
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private Outcome write(ClusterSet cs, PreparedDataset ds, ExtractionJournal journal,
                          Map<Integer, ExtractionJournal.Entry> previouslyDone, List<Finished> finished,
                          Health health, double wall, Path out) throws IOException {
        Map<Integer, UserInterests> users = new HashMap<>();
        for (ExtractionJournal.Entry e : previouslyDone.values()) users.put(e.user(), e.record());
        List<ExtractionFailure> failures = new ArrayList<>();
        Map<Integer, TypicalSample> byUser = new HashMap<>();
        for (TypicalSample s : cs.samples()) byUser.put(s.user(), s);
        long thisRunCalls = 0;
        for (Finished f : finished) {
            ExtractionJournal.Entry e = f.entry();
            thisRunCalls += e.calls();
            if (ExtractionJournal.Entry.DONE.equals(e.type())) {
                users.put(e.user(), e.record());
            } else {
                TypicalSample s = byUser.get(e.user());
                failures.add(new ExtractionFailure(s.user(), s.rawUser(), s.cluster(), f.totalAttempts(), e.reason()));
            }
        }
        // Totals over every run of this journal: earlier (possibly killed) runs spent calls and time too.
        long calls = 0, hits = 0, pt = 0, ct = 0, retries = 0;
        Map<Integer, Double> runWall = new HashMap<>();
        List<ExtractionJournal.Entry> all = new ArrayList<>(journal.previous());
        finished.forEach(f -> all.add(f.entry()));
        for (ExtractionJournal.Entry e : all) {
            calls += e.calls();
            hits += e.cacheHits();
            pt += e.promptTokens();
            ct += e.completionTokens();
            retries += Math.max(0, e.calls() - 1);
            runWall.merge(e.run(), e.seconds(), Math::max);
        }
        runWall.put(journal.run(), wall);
        double wallTotal = runWall.values().stream().mapToDouble(Double::doubleValue).sum();

        List<UserInterests> sorted = new ArrayList<>(users.values());
        sorted.sort(Comparator.comparingInt(UserInterests::user));
        failures.sort(Comparator.comparingInt(ExtractionFailure::user));
        Set<String> producers = new LinkedHashSet<>();
        int dim = -1;
        for (UserInterests u : sorted) {
            producers.add(u.provider() + " / " + u.model() + " / " + u.templateVersion());
            for (SemanticInterest si : u.interests()) {
                if (dim >= 0 && si.embedding().length != dim) {
                    throw new EimfException("interest embeddings of different lengths (" + dim + " and "
                            + si.embedding().length + "); delete " + journal.file() + " and extract again");
                }
                dim = si.embedding().length;
            }
        }
        if (producers.size() > 1) {
            throw new EimfException("answers come from different providers/models/templates " + producers
                    + "; delete " + journal.file() + " and extract again");
        }
        UserInterests any = sorted.isEmpty() ? null : sorted.get(0);
        SemanticManifest m = new SemanticManifest(SemanticInterestDataset.FORMAT_VERSION,
                new SemanticManifest.ClustersRef(cs.dir().toAbsolutePath().normalize().toString(),
                        cs.manifest().contentHash()),
                ds.manifest().contentHash(), cs.manifest().promptCutoff(),
                any != null ? any.provider() : health.provider(), any != null ? any.model() : health.model(),
                any != null ? any.templateVersion() : health.templateVersion(), health.embeddingModel(),
                Math.max(dim, 0), o.maxPromptItems(), cs.samples().size(), sorted.size(), failures.size(),
                new SemanticManifest.RunTotals(calls, hits, pt, ct, retries, previouslyDone.size(), wallTotal),
                null, null, null);
        SemanticManifest[] sealed = new SemanticManifest[1];
        AtomicOutput.directory(out, o.overwrite(), tmp ->
                sealed[0] = SemanticInterestDataset.write(tmp, m, sorted, failures));
        journal.close();
        Path kept = journal.file();
        if (failures.isEmpty()) {
            Files.deleteIfExists(journal.file());
            kept = null;
        }
        return new Outcome(sealed[0], out, failures, kept, thisRunCalls);
    }
}
