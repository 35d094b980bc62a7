package io.eimf.llm.batch;

import io.eimf.core.cli.EimfException;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.pool.WorkerPool;
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
import java.io.UncheckedIOException;
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
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks llm-service for the interests of every typical sample of a clusters directory and writes the
 * semantic-interest dataset. The calls go through a {@link WorkerPool}: samples in batches of {@code batchSize}
 * (one {@code /v1/interests/batch} call each; single calls for 1), at most {@code concurrency} calls in flight, a
 * sample whose answer fails retried alone up to {@code retries} times with exponential backoff and jitter, and
 * every other sample going on meanwhile. Every finished sample goes to an {@link ExtractionJournal} first, so a
 * killed run resumes with only the missing samples. Samples that still fail are written to {@code failures.jsonl}
 * with their reason, never dropped.
 */
public final class BatchExtraction {

    /**
     * @param clusters clusters directory ({@code eimf cluster})
     * @param dataset the prepared dataset it was made from
     * @param out semantic-interest directory to write
     * @param journal the progress journal (default: {@code <out>.journal.jsonl})
     * @param concurrency most requests in flight
     * @param batchSize samples per request (1: {@code /v1/interests}, more: {@code /v1/interests/batch})
     * @param retries extra attempts for a failed sample
     * @param maxPromptItems most items one prompt shows (the most recent prompt-visible ones)
     * @param minInterests least interests asked for
     * @param maxInterests most interests asked for
     * @param overwrite replace an existing output
     */
    public record Options(Path clusters, Path dataset, Path out, Path journal, int concurrency, int batchSize,
                          int retries, int maxPromptItems, int minInterests, int maxInterests, boolean overwrite) {
        public Options {
            if (concurrency < 1) throw new EimfException("--concurrency must be at least 1");
            if (batchSize < 1) throw new EimfException("--batch-size must be at least 1");
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
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(5);

    /** An extraction through {@code client}; the client's own transport retries are turned off (counted here). */
    public BatchExtraction(Options o, LlmServiceClient client, PrintStream err) {
        this.o = o;
        this.client = client.withRetry(RetryPolicy.none());
        this.err = err;
    }

    /** Backoff between a sample's attempts (default: jittered, 200 ms doubling to 5 s). */
    public BatchExtraction withBackoff(Duration initial, Duration max) {
        this.initialBackoff = initial;
        this.maxBackoff = max;
        return this;
    }

    /** Result of one sample in this run. */
    private record Finished(ExtractionJournal.Entry entry, int totalAttempts) {}

    /** One attempt's answer for a sample: its journal entry when it succeeded, else why it did not. */
    private record Attempt(ExtractionJournal.Entry done, String failure) {}

    /** What this run spent on one sample, over all its attempts. */
    private static final class Spent {
        int calls;
        int hits;
        long promptTokens;
        long completionTokens;
    }

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
            Map<Integer, Spent> spent = new ConcurrentHashMap<>();
            for (TypicalSample ts : todo) spent.put(ts.user(), new Spent());
            long[] reported = new long[1];
            WorkerPool<TypicalSample, Attempt> pool = new WorkerPool<TypicalSample, Attempt>(
                    batch -> attempt(batch, requests, spent, journal, start))
                    .concurrency(o.concurrency()).batchSize(o.batchSize()).retries(o.retries())
                    .backoff(initialBackoff, maxBackoff).onError(WorkerPool.ErrorPolicy.CONTINUE)
                    // 400/401/413 refuse this request: asking again cannot help. Other service errors may pass.
                    .transientWhen(e -> e instanceof LlmServiceException le
                            && le.status() != 400 && le.status() != 401 && le.status() != 413)
                    .itemFailedWhen(a -> a.done() == null ? a.failure() : null)
                    .listener((d, f, t) -> {
                        synchronized (reported) {
                            if (d + f > reported[0]) progress.advance(d + f - reported[0], f > 0 ? f + " failed" : "");
                            reported[0] = Math.max(reported[0], d + f);
                        }
                    });
            WorkerPool.Result<TypicalSample, Attempt> result = pool.run(todo);
            List<Finished> finished = new ArrayList<>();
            for (int i = 0; i < todo.size(); i++) {
                Attempt a = result.results().get(i);
                if (a != null) finished.add(new Finished(a.done(), earlierAttempts.getOrDefault(todo.get(i).user(), 0)
                        + a.done().calls()));
            }
            for (WorkerPool.Failure<TypicalSample> f : result.failures()) {
                if (f.error() instanceof UncheckedIOException io) throw io.getCause(); // the journal, not the LLM
                TypicalSample ts = f.item();
                Spent sp = spent.get(ts.user());
                ExtractionJournal.Entry e = new ExtractionJournal.Entry(ExtractionJournal.Entry.FAILED, ts.user(),
                        journal.run(), seconds(start), sp.calls, sp.hits, sp.promptTokens, sp.completionTokens, null,
                        f.error().getMessage());
                journal.append(e);
                finished.add(new Finished(e, earlierAttempts.getOrDefault(ts.user(), 0) + sp.calls));
            }
            progress.finish(result.failures().isEmpty() ? "" : result.failures().size() + " failed");
            return write(cs, ds, journal, done, finished, health, (System.nanoTime() - start) / 1e9, out);
        }
    }

    /**
     * One pool call: asks for a batch of samples and journals each one that succeeds. A transport error throws (the
     * pool retries the whole batch if it is transient); a failed or invalid answer fails only its sample.
     */
    private List<Attempt> attempt(List<TypicalSample> batch, Map<Integer, InterestRequest> requests,
                                  Map<Integer, Spent> spent, ExtractionJournal journal, long start) {
        List<InterestRequest> reqs = new ArrayList<>(batch.size());
        for (TypicalSample s : batch) {
            reqs.add(requests.get(s.user()));
            synchronized (spent.get(s.user())) {
                spent.get(s.user()).calls++;
            }
        }
        List<InterestResponse> answers = reqs.size() == 1 ? List.of(client.interests(reqs.get(0)))
                : client.interestsBatch(reqs);
        if (answers.size() != batch.size()) {
            throw new LlmServiceException(0, "llm-service answered " + answers.size() + " of " + batch.size()
                    + " requests in a batch", null);
        }
        List<Attempt> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            TypicalSample s = batch.get(i);
            InterestResponse r = answers.get(i);
            Spent sp = spent.get(s.user());
            synchronized (sp) {
                if (r.cached()) sp.hits++;
                if (r.tokens() != null) {
                    sp.promptTokens += r.tokens().promptTokens();
                    sp.completionTokens += r.tokens().completionTokens();
                }
            }
            if (!r.ok()) {
                out.add(new Attempt(null, "llm-service: " + (r.error() == null ? "failed without a reason" : r.error())));
                continue;
            }
            try {
                UserInterests ui = interests(s, reqs.get(i), r);
                ExtractionJournal.Entry e;
                synchronized (sp) {
                    e = new ExtractionJournal.Entry(ExtractionJournal.Entry.DONE, s.user(), journal.run(),
                            seconds(start), sp.calls, sp.hits, sp.promptTokens, sp.completionTokens, ui, null);
                }
                journal.append(e);
                out.add(new Attempt(e, null));
            } catch (InvalidAnswerException e) {
                out.add(new Attempt(null, e.getMessage()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
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
