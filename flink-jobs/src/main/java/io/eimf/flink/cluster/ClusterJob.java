package io.eimf.flink.cluster;

import io.eimf.core.cli.EimfException;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.dataset.UserSequence;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.semantic.ClusterSet;
import io.eimf.core.semantic.ClusterSet.Assignment;
import io.eimf.core.semantic.ClusterSet.TypicalSample;
import io.eimf.core.semantic.ClustersManifest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code eimf cluster}: profiles the users of a prepared dataset from their prompt-visible items (a Flink job that
 * reads {@code sequences.tsv} and featurises inside the tasks), clusters the profiles with {@link KMeans}, assigns
 * every user to its nearest centroid, picks the {@link TypicalSamples} and writes a clusters directory atomically.
 */
public final class ClusterJob {

    /**
     * Options of one run.
     *
     * @param dataset prepared dataset directory
     * @param out clusters directory to write
     * @param features {@code categories} or {@code text}
     * @param embeddingModel text embedding model for {@code text} features (llm-service's names)
     * @param kmeans k, seed, iteration cap, tolerance, initialisation sample
     * @param samplesPerCluster M
     * @param minInteractions L
     * @param overwrite replace an existing output directory
     */
    public record Options(Path dataset, Path out, String features, String embeddingModel, KMeans.Config kmeans,
                          int samplesPerCluster, int minInteractions, boolean overwrite) {
        public Options {
            if (!ProfileFeatures.CATEGORIES.equals(features) && !ProfileFeatures.TEXT.equals(features)) {
                throw new EimfException("--features must be categories or text, got '" + features + "'");
            }
            if (samplesPerCluster < 1) throw new EimfException("--samples-per-cluster must be at least 1");
            if (minInteractions < 1) throw new EimfException("--min-interactions must be at least 1");
        }
    }

    /** What a run produced: the sealed manifest and the samples. */
    public record Outcome(ClustersManifest manifest, List<TypicalSample> samples, long[] eligiblePerCluster,
                          KMeans.Result kmeans) {}

    private ClusterJob() {}

    /**
     * Entry point of the job jar ({@code flink run -c io.eimf.flink.cluster.ClusterJob ...}, the REST API, the web
     * UI), with {@code eimf cluster}'s options: one self-contained job that profiles the users in parallel and, in
     * its last task, runs k-means over the profiles held in memory ({@link KMeans#fitLocal}), assigns, picks the
     * samples and writes the clusters folder atomically; the same bytes as {@code eimf cluster} at the same
     * {@code --parallelism}. Attached, it prints where it wrote; detached, the job id.
     */
    public static void main(String[] args) throws Exception {
        CommandLine cl = new DefaultParser().parse(new ClusterCommand().options(), args);
        Options o = ClusterCommand.parse(cl, Path::of);
        Inputs in = open(o);
        PreparedDataset ds = in.dataset();
        ProfileFeatures features = in.features();
        Path abs = in.out();
        org.apache.flink.configuration.Configuration conf = new org.apache.flink.configuration.Configuration();
        conf.set(org.apache.flink.configuration.ExecutionOptions.RUNTIME_MODE,
                org.apache.flink.api.common.RuntimeExecutionMode.BATCH);
        conf.set(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        if (cl.hasOption("parallelism")) env.setParallelism(io.eimf.core.cli.Args.intValue(cl, "parallelism", 1));
        int p = env.getParallelism();
        FileSource<String> lines = FileSource.forRecordStreamFormat(new TextLineInputFormat(),
                new org.apache.flink.core.fs.Path(o.dataset().resolve(PreparedDataset.SEQUENCES).toUri())).build();
        io.eimf.flink.prepare.EndOfInput.apply(
                        env.fromSource(lines, WatermarkStrategy.noWatermarks(), "sequences.tsv")
                                .flatMap(features).returns(Profile.class).name("profile users"),
                        "k-means, assign, samples, write", org.apache.flink.api.common.typeinfo.Types.STRING,
                        new Finish(args, p))
                .setParallelism(1)
                .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>()).name("done")
                .setParallelism(1);
        org.apache.flink.api.common.JobExecutionResult r = env.execute("eimf cluster " + o.dataset().getFileName());
        if (!r.isJobExecutionResult()) {
            System.out.println("submitted Flink job " + r.getJobID() + " (detached): it writes " + abs + " when it finishes");
            return;
        }
        ClustersManifest m = io.eimf.core.json.Json.read(abs.resolve(ClusterSet.MANIFEST), ClustersManifest.class);
        System.out.printf(Locale.ROOT, "wrote %s (content %s; k=%d, %d iterations, inertia %.6f; engine flink p%d)%n",
                abs, m.contentHash().substring(0, 12), m.k(), m.iterations(), m.inertia(), p);
    }

    /** The job's last step (one task): k-means over all profiles, assignment, samples, the clusters folder. */
    static final class Finish implements io.eimf.flink.prepare.EndOfInput<Profile, String> {
        private final String[] args;
        private final int parallelism;
        private transient List<Profile> profiles;

        Finish(String[] args, int parallelism) {
            this.args = args;
            this.parallelism = parallelism;
        }

        @Override
        public void open(org.apache.flink.streaming.api.operators.StreamingRuntimeContext ctx) {
            profiles = new ArrayList<>();
        }

        @Override
        public void add(Profile p) {
            profiles.add(p);
        }

        @Override
        public void finish(Out<String> out) throws Exception {
            Options o = ClusterCommand.parse(new DefaultParser().parse(new ClusterCommand().options(), args), Path::of);
            PreparedDataset ds = PreparedDataset.read(o.dataset());
            ProfileFeatures features = featuresFor(o, ds);
            profiles.sort(Comparator.comparingInt(x -> x.user));
            KMeans.Result r = KMeans.fitLocal(profiles, o.kmeans(), null);
            List<Assigned> assigned = KMeans.assignLocal(profiles, r.centroids());
            Outcome written = write(o, ds, features, r, assigned, parallelism, System.err);
            out.collect(written.manifest().contentHash());
        }
    }

    /** Runs profiling, k-means, assignment and sample selection, and writes {@code o.out()}. */
    public static Outcome run(Options o, FlinkRuntime rt, PrintStream err) throws Exception {
        Inputs in = open(o);
        PreparedDataset ds = in.dataset();
        ProfileFeatures features = in.features();
        Path abs = in.out();
        Files.createDirectories(abs.getParent());
        Path work = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".work-");
        try {
            long t0 = System.nanoTime();
            List<Profile> profiles = profile(o.dataset(), features, rt);
            err.printf(Locale.ROOT, "[cluster] profiled %d users (%s features, %d-d) in %.1fs%n", profiles.size(),
                    o.features(), features.dimension(), (System.nanoTime() - t0) / 1e9);
            ProfileFile source = ProfileFile.write(work.resolve("profiles.bin"), profiles, features.dimension());
            profiles = null; // the Lloyd passes read the file; let the client's copy go

            KMeans.Result r = KMeans.fit(source, o.kmeans(), rt, (it, inertia, sizes, secs) -> err.printf(Locale.ROOT,
                    "[cluster] iteration %d/%d inertia %.6f sizes %s %.2fs%n", it, o.kmeans().maxIterations(),
                    inertia, java.util.Arrays.toString(sizes), secs));
            List<Assigned> assigned = KMeans.assign(source, r.centroids(), rt);

            return write(o, ds, features, r, assigned, rt.parallelism(), err);
        } finally {
            AtomicOutput.deleteRecursively(work);
        }
    }

    /** Everything after k-means: assignments, typical samples, the manifest, and the clusters folder (atomically). */
    static Outcome write(Options o, PreparedDataset ds, ProfileFeatures features, KMeans.Result r,
                         List<Assigned> assigned, int parallelism, PrintStream err) throws IOException {
        String protocol = ds.manifest().split() == null ? "?" : ds.manifest().split().protocol();
        String model = features.embeddingModel();
        int k = o.kmeans().k();
        long[] sizes = new long[k];
        long[] eligible = new long[k];
        double inertia = 0;
        List<Assignment> assignments = new ArrayList<>(assigned.size());
        for (Assigned a : assigned) {
            UserSequence s = ds.sequences().get(a.user);
            // Defence in depth: the featuriser already drops them, but a target must never reach a profile.
            if (s.role() == SplitRole.VALID || s.role() == SplitRole.TEST) {
                throw new IllegalStateException("user " + s.rawUser() + " is a " + s.role().label()
                        + " user but was profiled");
            }
            sizes[a.cluster]++;
            if (a.interactions >= o.minInteractions()) eligible[a.cluster]++;
            inertia += a.distance * a.distance;
            assignments.add(new Assignment(a.user, s.rawUser(), a.cluster, a.distance, a.interactions));
        }
        List<TypicalSample> samples = TypicalSamples.select(assignments, k, o.samplesPerCluster(),
                o.minInteractions());
        long eligibleUsers = 0;
        for (long e : eligible) eligibleUsers += e;
        for (int c = 0; c < k; c++) {
            if (eligible[c] < o.samplesPerCluster()) {
                err.printf("[cluster] warning: cluster %d has %d users with >= %d interactions, fewer than M=%d%n",
                        c, eligible[c], o.minInteractions(), o.samplesPerCluster());
            }
        }
        List<Long> sizeList = new ArrayList<>();
        for (long s : sizes) sizeList.add(s);
        ClustersManifest m = new ClustersManifest(ClusterSet.FORMAT_VERSION,
                new ClustersManifest.DatasetRef(o.dataset().toAbsolutePath().normalize().toString(),
                        ds.manifest().contentHash(), protocol),
                promptCutoff(protocol), o.features(), features.dimension(), model, o.kmeans().seed(), k,
                o.kmeans().initSample(), o.kmeans().maxIterations(), o.kmeans().tolerance(), r.iterations(),
                r.converged(), r.inertiaHistory(), inertia, sizeList, assigned.size(), o.samplesPerCluster(),
                o.minInteractions(), eligibleUsers, samples.size(), parallelism, null, null, null);
        ClustersManifest[] sealed = new ClustersManifest[1];
        float[][] centroids = r.centroids();
        AtomicOutput.directory(o.out().toAbsolutePath().normalize(), o.overwrite(), tmp ->
                sealed[0] = ClusterSet.write(tmp, m, assignments, samples, centroids, sizes));
        return new Outcome(sealed[0], samples, eligible, r);
    }

    /** What both entry points check before any work: the dataset, its profile features, and a free output path. */
    private record Inputs(PreparedDataset dataset, ProfileFeatures features, Path out) {}

    private static Inputs open(Options o) {
        PreparedDataset ds;
        try {
            ds = PreparedDataset.read(o.dataset());
        } catch (IOException e) {
            throw new EimfException(e.getMessage(), e);
        }
        ProfileFeatures features = featuresFor(o, ds);
        Path abs = o.out().toAbsolutePath().normalize();
        if (Files.exists(abs) && !o.overwrite()) {
            throw new EimfException(abs + " already exists (pass --overwrite to replace it)");
        }
        return new Inputs(ds, features, abs);
    }

    /** The words recorded as the prompt cutoff for a split protocol. */
    static String promptCutoff(String protocol) {
        return switch (protocol) {
            case "comirec" -> "comirec: train users' whole sequences; valid and test users are never profiled or "
                    + "prompted";
            case "loo" -> "loo: every user's sequence without its last two items (the validation and test targets)";
            default -> protocol + ": UserSequence.promptVisibleItems()";
        };
    }

    private static ProfileFeatures featuresFor(Options o, PreparedDataset ds) {
        Path items = o.dataset().resolve(PreparedDataset.ITEMS);
        if (ProfileFeatures.CATEGORIES.equals(o.features())) {
            List<String> vocab = ProfileFeatures.CategoryHistogram.vocabulary(ds.items());
            if (vocab.isEmpty()) {
                throw new EimfException(items + ": no item has categories; use --features text");
            }
            return new ProfileFeatures.CategoryHistogram(items, vocab);
        }
        return new TextFeatures(items, o.embeddingModel());
    }

    /** One Flink job: sequences.tsv lines to profiles of users with prompt-visible items, ordered by user. */
    static List<Profile> profile(Path dataset, ProfileFeatures features, FlinkRuntime rt) throws Exception {
        StreamExecutionEnvironment env = rt.env();
        FileSource<String> lines = FileSource.forRecordStreamFormat(new TextLineInputFormat(),
                new org.apache.flink.core.fs.Path(dataset.resolve(PreparedDataset.SEQUENCES).toUri())).build();
        List<Profile> out = Collect.all(env.fromSource(lines, WatermarkStrategy.noWatermarks(), "sequences.tsv")
                .flatMap(features).returns(Profile.class).name("profile users")
                .executeAndCollect("eimf cluster: profiles"));
        out.sort(Comparator.comparingInt(p -> p.user));
        return out;
    }
}
