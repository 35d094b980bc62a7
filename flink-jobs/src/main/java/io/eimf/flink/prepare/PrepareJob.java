package io.eimf.flink.prepare;

import io.eimf.core.cli.EimfException;
import io.eimf.core.dataset.DatasetManifest;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import io.eimf.flink.format.FileRange;
import io.eimf.flink.format.InteractionReader;
import io.eimf.flink.format.InteractionRecord;
import io.eimf.flink.format.SourceFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.ListAccumulator;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.operators.Order;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.SerializedThrowable;

/**
 * {@code eimf prepare} as a Flink 2 DataStream job in BATCH mode: parse, implicit feedback, frequency filter, per-user
 * time order, dense ids, split. Runs on an embedded mini-cluster when started from a plain JVM and on the cluster when
 * submitted with {@code flink run -c io.eimf.flink.prepare.PrepareJob eimf-flink-jobs-*-job.jar --format ... --input
 * ... --out ...}; input and output must then be on a filesystem every TaskManager mounts at the same path.
 *
 * <p>Graph: file byte ranges → parse, combine per user and range, sort each part (p; per-range item counts on a
 * side output → keyBy item: totals → broadcast) → keyBy user + broadcast: drop rare items and short users, merge the
 * parts by time, items become ranks among the frequent items (p; kept items per subtask and users on side outputs) →
 * [k-core: finish the iteration in one task, then distinct items] → assign ids and roles (1 task, also writes
 * items.jsonl) → broadcast to the formatter (p) → range-partition the UTF-8 lines by dense user id, sort each
 * partition → {@code sequences.part-N} → commit (1 task: concatenate the parts in order, hash the input, seal the
 * manifest, rename the folder into place). The job finishes its own output, so detached submission (REST, web UI,
 * {@code flink run -d}) writes the same bytes as an attached or embedded run.
 * Output is byte-identical to {@link InMemoryPreparer} for every parallelism.
 */
public final class PrepareJob {
    static final String PART_PREFIX = "sequences.part-";

    private PrepareJob() {}

    /**
     * Entry point for {@code flink run} (attached or {@code -d}), the REST API's {@code POST /jars/:id/run} and the
     * web UI: builds and submits the job, which writes and commits the dataset itself. Attached, it waits and prints
     * the summary; detached, it prints the job id and returns. Exceptions propagate (the Flink CLI prints them).
     */
    public static void main(String[] args) throws Exception {
        CommandLine cl = new DefaultParser().parse(PrepareOptions.cliOptions(), args);
        PrepareOptions o = PrepareOptions.fromCommandLine(cl, Path::of);
        Launched l = launch(o, System.err);
        if (!l.attached()) {
            System.out.println("submitted Flink job " + l.result().getJobID() + " (detached): it writes " + o.out()
                    + " when it finishes");
            return;
        }
        System.out.println(l.finish().summary());
    }

    /** Runs the job attached (the embedded mini-cluster, or {@code flink run} without -d) and returns its result. */
    public static PrepareResult run(PrepareOptions o, PrintStream log) throws Exception {
        Launched l = launch(o, log);
        if (!l.attached()) throw new EimfException("the Flink job was submitted detached; its result is not available here");
        return l.finish();
    }

    /** A submitted job: attached, its result is complete; detached, only its id is known. */
    record Launched(PrepareOptions o, JobExecutionResult result, int parallelism, long t0) {
        boolean attached() {
            return result.isJobExecutionResult();
        }

        /** The run's summary from the committed manifest and the job's accumulators. */
        PrepareResult finish() throws IOException {
            DatasetManifest m = Json.read(o.out().resolve(PreparedDataset.MANIFEST), DatasetManifest.class);
            List<String> examples = new ArrayList<>();
            for (String name : List.of("badLineExamples", "badItemLineExamples")) {
                List<String> l = result.getAccumulatorResult(name);
                if (l != null) examples.addAll(l);
            }
            List<String> shown = examples.stream().sorted().limit(InteractionReader.MAX_EXAMPLES).toList();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            return new PrepareResult(o.out(), m, "flink", parallelism, ms, result.getNetRuntime(), shown,
                    counter(result, "itemsWithoutMetadata"));
        }
    }

    /**
     * Builds and submits the job. The job is self-contained: its tasks write into a temporary sibling of the output
     * (created by the tasks, not here), and its last step (one task) concatenates the parts, hashes the input,
     * writes the manifest and renames the folder into place; so the same jar gives the same bytes embedded,
     * attached and detached, and a client that goes away cannot pull the folder from under a running job.
     */
    static Launched launch(PrepareOptions o, PrintStream log) throws Exception {
        long t0 = System.nanoTime();
        SourceFormat format = o.resolveFormat();
        Path target = o.out();
        if (Files.exists(target) && !o.overwrite()) {
            throw new EimfException(target + " already exists (pass --overwrite to replace it)");
        }
        List<Path> files = format.interactionFiles(o.input());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration());
        if (o.parallelism() > 0) env.setParallelism(o.parallelism());
        int p = env.getParallelism();
        long total = 0;
        for (Path f : files) total += Files.size(f);
        // The cut points do not change the output (records are ordered by absolute offsets), only the balance; the cap
        // bounds the per-range combiner's memory.
        long chunk = Math.min(64L << 20, Math.max(1L << 20, (total + 4L * p - 1) / (4L * p)));
        List<FileRange> ranges = FileRange.split(files, o.input(), chunk);
        Path tmp = AtomicOutput.jobTemporary(target);
        List<String> allFiles = Finishing.allFiles(format, o.input()).stream().map(Path::toString).toList();
        build(env, o, format, ranges, allFiles, tmp, p);
        JobExecutionResult r;
        try {
            r = env.execute("eimf prepare " + format.name() + " " + o.input().getFileName());
        } catch (Exception e) {
            AtomicOutput.deleteRecursively(tmp); // a failed job's parts; nothing was renamed into place
            throw unwrap(e);
        }
        return new Launched(o, r, p, t0);
    }

    /** BATCH mode, no Kryo, object reuse, no restarts (a bad line must fail fast); memory for the mini-cluster. */
    static Configuration configuration() {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        // Only the embedded mini-cluster reads these; a real cluster keeps its own TaskManager memory settings.
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("768m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("128m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("128m"));
        // Shuffles stay inside one JVM: LZ4 would cost CPU (about 7% of a 1M run) and save nothing.
        conf.set(NettyShuffleEnvironmentOptions.SHUFFLE_COMPRESSION_CODEC, NettyShuffleEnvironmentOptions.CompressionCodec.NONE);
        return conf;
    }

    private static void build(StreamExecutionEnvironment env, PrepareOptions o, SourceFormat format,
                              List<FileRange> ranges, List<String> allFiles, Path tmp, int p) {
        InteractionReader reader = new InteractionReader(format, o.minRating(), o.skipBadLines());
        SingleOutputStreamOperator<PartialSequence> parsed = env
                .fromData(ranges, TypeInformation.of(FileRange.class)).name("input ranges")
                .rebalance()
                .process(new ParseRanges(reader)).name("parse, combine per user and range")
                .returns(TypeInformation.of(PartialSequence.class));
        // Item frequencies travel as per-range partial counts (one record per distinct item and range), so the
        // item filter needs no shuffle of the interactions; the user grouping shuffles one partial sequence per user
        // and range (a combiner), not one record per interaction.
        DataStream<Tuple2<String, Long>> frequent = parsed.getSideOutput(ITEM_COUNTS)
                .keyBy(new CountKey()).reduce((a, b) -> Tuple2.of(a.f0, a.f1 + b.f1)).name("item counts")
                .filter(new AtLeast(o.minItemCount())).name("items >= " + o.minItemCount());
        SingleOutputStreamOperator<KeptSequence> grouped = parsed
                .keyBy(new UserKey())
                .connect(frequent.broadcast(FREQUENT_ITEMS))
                .process(new UserSequences(o.minUserCount()))
                .name("drop items < " + o.minItemCount() + ", users < " + o.minUserCount() + ", merge by time")
                .returns(TypeInformation.of(KeptSequence.class));
        DataStream<KeptSequence> seqs = grouped;
        TypeInformation<Tuple3<Integer, String, Integer>> keyType = Types.TUPLE(Types.INT, Types.STRING, Types.INT);
        // Kept items and users (with their lengths) come from side outputs of the grouping step, so no consumer
        // re-reads the sequences; each subtask sends an item once (bounded by the catalogue), not once per user.
        DataStream<Tuple3<Integer, String, Integer>> items = grouped.getSideOutput(KEPT_ITEMS);
        DataStream<Tuple3<Integer, String, Integer>> users = grouped.getSideOutput(USERS);
        DataStream<Tuple3<String, Long, String>> kcoreFacts = null;
        if (o.filter().equals(PrepareOptions.FILTER_KCORE)) {
            SingleOutputStreamOperator<KeptSequence> finished = EndOfInput.apply(seqs, "k-core until stable",
                    TypeInformation.of(KeptSequence.class), new KCoreFinish(o.minItemCount(), o.minUserCount()));
            finished.setParallelism(1);
            kcoreFacts = finished.getSideOutput(FACTS);
            seqs = finished;
            items = EndOfInput.apply(seqs, "distinct items", keyType, new DistinctItems());
            users = seqs.map(s -> Tuple3.of(KIND_USER, s.user, s.items.length)).returns(keyType).name("users");
        }
        // The assignment turns frequent-item ranks back into raw ids, so it reads the (small) frequent item list too.
        DataStream<Tuple3<Integer, String, Integer>> frequentNames =
                frequent.map(t -> Tuple3.of(KIND_FREQUENT, t.f0, 0)).returns(keyType).name("frequent items");
        TypeInformation<Tuple4<Integer, String, Integer, Integer>> assignType =
                Types.TUPLE(Types.INT, Types.STRING, Types.INT, Types.INT);
        SingleOutputStreamOperator<Tuple4<Integer, String, Integer, Integer>> assignments = EndOfInput.apply(
                items.union(users, frequentNames), "assign ids and roles, write items.jsonl", assignType,
                new AssignIds(o.split(), format, o.input().toString(), o.skipBadLines(), tmp.toString()));
        assignments.setParallelism(1);

        // Lines travel as UTF-8 bytes: a byte array is copied into the sort buffer in one piece, a String char by char.
        TypeInformation<Tuple3<Integer, Integer, byte[]>> lineType =
                Types.TUPLE(Types.INT, Types.INT, Types.PRIMITIVE_ARRAY(Types.BYTE));
        DataStream<Tuple3<String, Long, String>> parts = seqs.connect(assignments.broadcast(ITEM_IDS, USER_IDS, TOTALS))
                .process(new FormatLines(o.split(), p)).returns(lineType).name("remap and format")
                .partitionCustom((Integer part, int n) -> part, new PartKey())
                .fullWindowPartition().sortPartition(1, Order.ASCENDING).name("order by user")
                .transform("sequences parts", FACT_TYPE, new EndOfInput.Operator<>(new PartWriter(tmp.toString())));

        // The input's hashes for the manifest: a branch of its own, which runs while slots are free.
        DataStream<Tuple3<String, Long, String>> sources = env
                .fromData(indexed(allFiles), Types.TUPLE(Types.INT, Types.STRING)).name("input files")
                .map(new HashSource(o)).returns(FACT_TYPE).name("hash input files").setParallelism(1);
        DataStream<Tuple3<String, Long, String>> facts = parts.union(parsed.getSideOutput(FACTS),
                assignments.getSideOutput(FACTS), sources);
        if (kcoreFacts != null) facts = facts.union(kcoreFacts);
        EndOfInput.apply(facts, "commit: concatenate, manifest, rename", FACT_TYPE,
                        new Commit(o, format, tmp.toString()))
                .setParallelism(1)
                .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>()).name("done")
                .setParallelism(1);
    }

    private static List<Tuple2<Integer, String>> indexed(List<String> files) {
        List<Tuple2<Integer, String>> l = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) l.add(Tuple2.of(i, files.get(i)));
        return l;
    }

    /** Facts for the commit step: (name, count, text); counters are summed, "part" and "source" are listed. */
    static final TypeInformation<Tuple3<String, Long, String>> FACT_TYPE =
            Types.TUPLE(Types.STRING, Types.LONG, Types.STRING);
    static final OutputTag<Tuple3<String, Long, String>> FACTS = new OutputTag<>("facts", FACT_TYPE);

    static Tuple3<String, Long, String> fact(String name, long count) {
        return Tuple3.of(name, count, "");
    }

    static final int KIND_ITEM = 0;
    static final int KIND_USER = 1;
    static final int KIND_TOTAL = 2;
    static final int KIND_FREQUENT = 3;
    /** Frequent-item rank to dense item id. */
    static final MapStateDescriptor<Integer, Integer> ITEM_IDS = new MapStateDescriptor<>("itemIds", Types.INT, Types.INT);
    /** Value: dense user id * 4 + role ordinal. */
    static final MapStateDescriptor<String, Integer> USER_IDS = new MapStateDescriptor<>("userIds", Types.STRING, Types.INT);
    /** 0: number of users; 1: number of frequent items. */
    static final MapStateDescriptor<Integer, Integer> TOTALS = new MapStateDescriptor<>("totals", Types.INT, Types.INT);

    static final class UserKey implements org.apache.flink.api.java.functions.KeySelector<PartialSequence, String> {
        @Override
        public String getKey(PartialSequence r) {
            return r.user;
        }
    }

    static final class PartKey implements org.apache.flink.api.java.functions.KeySelector<Tuple3<Integer, Integer, byte[]>, Integer> {
        @Override
        public Integer getKey(Tuple3<Integer, Integer, byte[]> t) {
            return t.f0;
        }
    }

    static final OutputTag<Tuple2<String, Long>> ITEM_COUNTS =
            new OutputTag<>("itemCounts", Types.TUPLE(Types.STRING, Types.LONG));
    static final OutputTag<Tuple3<Integer, String, Integer>> USERS =
            new OutputTag<>("users", Types.TUPLE(Types.INT, Types.STRING, Types.INT));
    static final OutputTag<Tuple3<Integer, String, Integer>> KEPT_ITEMS =
            new OutputTag<>("keptItems", Types.TUPLE(Types.INT, Types.STRING, Types.INT));
    static final MapStateDescriptor<String, Long> FREQUENT_ITEMS =
            new MapStateDescriptor<>("frequentItems", Types.STRING, Types.LONG);

    static final class CountKey implements org.apache.flink.api.java.functions.KeySelector<Tuple2<String, Long>, String> {
        @Override
        public String getKey(Tuple2<String, Long> t) {
            return t.f0;
        }
    }

    /** The shared keep rule on item totals. */
    static final class AtLeast implements FilterFunction<Tuple2<String, Long>> {
        private final int min;

        AtLeast(int min) {
            this.min = min;
        }

        @Override
        public boolean filter(Tuple2<String, Long> t) {
            return SequenceRules.keep(t.f1, min);
        }
    }

    /**
     * Reads byte ranges with the shared {@link InteractionReader}; emits the interactions, and per range the partial
     * item counts on a side output; parse counts go to accumulators.
     */
    static final class ParseRanges extends ProcessFunction<FileRange, PartialSequence> {
        /** One user's interactions of the range being read, in input order. */
        private static final class Builder {
            final String user;
            long[] keys = new long[8];
            String[] names;
            long[] times = new long[8];
            long[] orders = new long[8];
            int[] pos = new int[8];
            int n;

            Builder(String user) {
                this.user = user;
            }

            void add(long key, InteractionRecord r) {
                if (n == keys.length) {
                    keys = Arrays.copyOf(keys, n * 2);
                    if (names != null) names = Arrays.copyOf(names, n * 2);
                    times = Arrays.copyOf(times, n * 2);
                    orders = Arrays.copyOf(orders, n * 2);
                    pos = Arrays.copyOf(pos, n * 2);
                }
                if (key == PackedIds.NONE) {
                    if (names == null) names = new String[keys.length];
                    names[n] = r.item;
                }
                keys[n] = key;
                times[n] = r.time;
                orders[n] = r.order;
                pos[n++] = r.pos;
            }

            /** Sorted by the shared rule; the input positions are not needed after that. */
            PartialSequence sorted(long origin) {
                int[] order = SequenceRules.order(times, orders, pos, n);
                long[] k = new long[n];
                String[] m = names == null ? null : new String[n];
                long[] t = new long[n];
                for (int i = 0; i < n; i++) {
                    int j = order[i];
                    k[i] = keys[j];
                    if (m != null) m[i] = names[j];
                    t[i] = times[j];
                }
                return new PartialSequence(user, origin, k, m, t);
            }
        }

        /** Item counts of one range: packed ids in a primitive map, the others by String. */
        private static final class Counts {
            final LongIntMap index = new LongIntMap(1 << 12);
            String[] names = new String[1 << 12];
            long[] counts = new long[1 << 12];
            int size;
            final Map<String, long[]> other = new HashMap<>();

            void add(long key, String item) {
                if (key == PackedIds.NONE) {
                    other.computeIfAbsent(item, k -> new long[1])[0]++;
                    return;
                }
                int i = index.get(key);
                if (i < 0) {
                    if (size == names.length) {
                        names = Arrays.copyOf(names, size * 2);
                        counts = Arrays.copyOf(counts, size * 2);
                    }
                    i = size++;
                    index.put(key, i);
                    names[i] = item;
                }
                counts[i]++;
            }
        }

        private final InteractionReader reader;
        private transient LongCounter raw;
        private transient LongCounter below;
        private transient LongCounter bad;
        private transient ListAccumulator<String> examples;

        ParseRanges(InteractionReader reader) {
            this.reader = reader;
        }

        @Override
        public void open(OpenContext ctx) {
            raw = getRuntimeContext().getLongCounter("raw");
            below = getRuntimeContext().getLongCounter("belowMinRating");
            bad = getRuntimeContext().getLongCounter("badLines");
            examples = new ListAccumulator<>();
            getRuntimeContext().addAccumulator("badLineExamples", examples);
        }

        @Override
        public void processElement(FileRange range, Context ctx, Collector<PartialSequence> out) throws Exception {
            InteractionReader.Stats s = new InteractionReader.Stats();
            Counts counts = new Counts();
            Map<String, Builder> users = new HashMap<>();
            Builder[] last = new Builder[1];
            reader.read(range, s, r -> {
                long key = PackedIds.pack(r.item);
                counts.add(key, r.item);
                // Sources are mostly grouped by user: skip the map lookup while the user does not change.
                Builder b = last[0];
                if (b == null || !b.user.equals(r.user)) {
                    b = users.computeIfAbsent(r.user, Builder::new);
                    last[0] = b;
                }
                b.add(key, r);
            });
            for (int i = 0; i < counts.size; i++) ctx.output(ITEM_COUNTS, Tuple2.of(counts.names[i], counts.counts[i]));
            for (Map.Entry<String, long[]> e : counts.other.entrySet()) {
                ctx.output(ITEM_COUNTS, Tuple2.of(e.getKey(), e.getValue()[0]));
            }
            long origin = InteractionRecord.order(range.fileIndex, range.start);
            for (Builder b : users.values()) out.collect(b.sorted(origin));
            raw.add(s.raw);
            below.add(s.belowMinRating);
            bad.add(s.badLines);
            s.examples.forEach(examples::add);
            ctx.output(FACTS, fact("raw", s.raw));
            ctx.output(FACTS, fact("belowMinRating", s.belowMinRating));
            ctx.output(FACTS, fact("badLines", s.badLines));
        }
    }

    /** Frequent items in {@link RawIdOrder}: an item's index here is its rank, the same in every task. */
    static String[] frequentOrder(Collection<String> items) {
        String[] order = items.toArray(new String[0]);
        Arrays.sort(order, RawIdOrder.INSTANCE);
        return order;
    }

    /**
     * Gathers one user's partial sequences (BATCH mode: the broadcast item totals arrive first, then one key at a
     * time), drops interactions with rare items, keeps the user if long enough and merges the sorted parts by time.
     * Filtering here rather than in a separate step saves a full pass of the interactions; items leave as ranks
     * among the frequent items, and each subtask reports a kept item once on a side output.
     */
    static final class UserSequences
            extends KeyedBroadcastProcessFunction<String, PartialSequence, Tuple2<String, Long>, KeptSequence> {
        private final int min;
        private transient ListState<RankedPart> buffer;
        private transient LongIntMap packedRanks;
        private transient HashMap<String, Integer> otherRanks;
        private transient boolean[] reported;

        UserSequences(int min) {
            this.min = min;
        }

        @Override
        public void open(OpenContext ctx) {
            buffer = getRuntimeContext().getListState(
                    new ListStateDescriptor<>("user", TypeInformation.of(RankedPart.class)));
        }

        @Override
        public void processBroadcastElement(Tuple2<String, Long> t, Context ctx, Collector<KeptSequence> out)
                throws Exception {
            ctx.getBroadcastState(FREQUENT_ITEMS).put(t.f0, t.f1);
        }

        @Override
        public void processElement(PartialSequence p, ReadOnlyContext ctx, Collector<KeptSequence> out) throws Exception {
            if (packedRanks == null) {
                List<String> names = new ArrayList<>();
                for (Map.Entry<String, Long> e : ctx.getBroadcastState(FREQUENT_ITEMS).immutableEntries()) {
                    names.add(e.getKey());
                }
                String[] order = frequentOrder(names);
                packedRanks = new LongIntMap(order.length);
                otherRanks = new HashMap<>();
                for (int i = 0; i < order.length; i++) {
                    long key = PackedIds.pack(order[i]);
                    if (key != PackedIds.NONE) packedRanks.put(key, i);
                    else otherRanks.put(order[i], i);
                }
                reported = new boolean[order.length];
            }
            int n = p.keys.length;
            int[] items = new int[n];
            long[] times = new long[n];
            int k = 0;
            for (int i = 0; i < n; i++) {
                long key = p.keys[i];
                int r = key != PackedIds.NONE ? packedRanks.get(key) : otherRanks.getOrDefault(p.names[i], -1);
                if (r >= 0) {
                    items[k] = r;
                    times[k++] = p.times[i];
                }
            }
            if (k == 0) return;
            buffer.add(new RankedPart(p.origin, Arrays.copyOf(items, k), Arrays.copyOf(times, k)));
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE); // fires when this key is complete
        }

        @Override
        public void onTimer(long ts, OnTimerContext ctx, Collector<KeptSequence> out) throws Exception {
            List<RankedPart> parts = new ArrayList<>(2);
            int n = 0;
            for (RankedPart p : buffer.get()) {
                parts.add(p);
                n += p.items.length;
            }
            buffer.clear();
            if (!SequenceRules.keep(n, min)) return;
            int[] items;
            long[] times;
            if (parts.size() == 1) {
                items = parts.get(0).items;
                times = parts.get(0).times;
            } else {
                // Every line of an earlier range precedes every line of a later one, so the shared order (time, then
                // input position) is a stable sort by time of the parts laid end to end in range order.
                parts.sort((a, b) -> Long.compare(a.origin, b.origin));
                int[] catItems = new int[n];
                long[] catTimes = new long[n];
                int k = 0;
                for (RankedPart p : parts) {
                    System.arraycopy(p.items, 0, catItems, k, p.items.length);
                    System.arraycopy(p.times, 0, catTimes, k, p.times.length);
                    k += p.items.length;
                }
                Integer[] idx = new Integer[n];
                for (int i = 0; i < n; i++) idx[i] = i;
                Arrays.sort(idx, (x, y) -> Long.compare(catTimes[x], catTimes[y])); // TimSort: stable
                items = new int[n];
                times = new long[n];
                for (int i = 0; i < n; i++) {
                    items[i] = catItems[idx[i]];
                    times[i] = catTimes[idx[i]];
                }
            }
            for (int it : items) {
                if (!reported[it]) {
                    reported[it] = true;
                    ctx.output(KEPT_ITEMS, Tuple3.of(KIND_ITEM, "", it));
                }
            }
            out.collect(new KeptSequence(ctx.getCurrentKey(), items, times));
            ctx.output(USERS, Tuple3.of(KIND_USER, ctx.getCurrentKey(), n));
        }
    }

    /** A user's kept interactions from one range, items as frequent-item ranks, sorted; a Flink POJO. */
    public static final class RankedPart {
        public long origin;
        public int[] items;
        public long[] times;

        public RankedPart() {}

        RankedPart(long origin, int[] items, long[] times) {
            this.origin = origin;
            this.items = items;
            this.times = times;
        }
    }

    /**
     * k-core after the first parallel pass: Flink 2's DataStream API has no bulk iterations, so the (much smaller)
     * surviving sequences are finished in one task with the shared rule. Ranks stand in for the raw ids one to one,
     * so the rule sees the same counts and keeps the same interactions.
     */
    static final class KCoreFinish implements EndOfInput<KeptSequence, KeptSequence> {
        private final int minItem;
        private final int minUser;
        private transient List<RawSequence> all;

        KCoreFinish(int minItem, int minUser) {
            this.minItem = minItem;
            this.minUser = minUser;
        }

        @Override
        public void open(StreamingRuntimeContext ctx) {
            all = new ArrayList<>();
        }

        @Override
        public void add(KeptSequence s) {
            String[] items = new String[s.items.length];
            for (int i = 0; i < items.length; i++) items[i] = Integer.toString(s.items[i]);
            all.add(new RawSequence(s.user, items, s.times));
        }

        @Override
        public void finish(Out<KeptSequence> out) {
            int passes = SequenceRules.kCore(all, minItem, minUser);
            out.side(FACTS, fact("iterations", passes));
            for (RawSequence s : all) {
                int[] items = new int[s.items.length];
                for (int i = 0; i < items.length; i++) items[i] = Integer.parseInt(s.items[i]);
                out.collect(new KeptSequence(s.user, items, s.times));
            }
            all = null;
        }
    }

    /** Distinct kept items after the k-core step (the grouping step reports them itself otherwise). */
    static final class DistinctItems implements EndOfInput<KeptSequence, Tuple3<Integer, String, Integer>> {
        private transient BitSet seen;

        @Override
        public void open(StreamingRuntimeContext ctx) {
            seen = new BitSet();
        }

        @Override
        public void add(KeptSequence s) {
            for (int it : s.items) seen.set(it);
        }

        @Override
        public void finish(Out<Tuple3<Integer, String, Integer>> out) {
            for (int it = seen.nextSetBit(0); it >= 0; it = seen.nextSetBit(it + 1)) out.collect(Tuple3.of(KIND_ITEM, "", it));
        }
    }

    /**
     * The one global step: dense ids and roles from the kept items and users (one record each, not per
     * interaction), with the shared {@link Assignment}; also writes items.jsonl and the split counts. Items arrive as
     * frequent-item ranks and leave as rank → dense id.
     */
    static final class AssignIds implements EndOfInput<Tuple3<Integer, String, Integer>,
            Tuple4<Integer, String, Integer, Integer>> {
        private final SplitSpec split;
        private final SourceFormat format;
        private final String input;
        private final boolean skipBadLines;
        private final String tmp;
        private transient StreamingRuntimeContext rc;
        private transient List<String> frequent;
        private transient BitSet kept;
        private transient Map<String, Integer> lengths;

        AssignIds(SplitSpec split, SourceFormat format, String input, boolean skipBadLines, String tmp) {
            this.split = split;
            this.format = format;
            this.input = input;
            this.skipBadLines = skipBadLines;
            this.tmp = tmp;
        }

        @Override
        public void open(StreamingRuntimeContext ctx) {
            rc = ctx;
            frequent = new ArrayList<>();
            kept = new BitSet();
            lengths = new HashMap<>();
        }

        @Override
        public void add(Tuple3<Integer, String, Integer> t) {
            switch (t.f0) {
                case KIND_FREQUENT -> frequent.add(t.f1);
                case KIND_ITEM -> kept.set(t.f2);
                default -> lengths.put(t.f1, t.f2);
            }
        }

        @Override
        public void finish(Out<Tuple4<Integer, String, Integer, Integer>> out) throws Exception {
            String[] order = frequentOrder(frequent);
            List<String> keptItems = new ArrayList<>(kept.cardinality());
            for (int r = kept.nextSetBit(0); r >= 0; r = kept.nextSetBit(r + 1)) keptItems.add(order[r]);
            Assignment a = Assignment.of(keptItems, lengths.keySet(), split);
            int[] len = new int[a.users.length];
            for (int u = 0; u < len.length; u++) len[u] = lengths.get(a.users[u]);
            Finishing.SplitCounts c = Finishing.SplitCounts.of(a.roles, len, split);
            out.side(FACTS, fact("users", c.users()));
            out.side(FACTS, fact("interactions", c.interactions()));
            out.side(FACTS, fact("train", c.train()));
            out.side(FACTS, fact("valid", c.valid()));
            out.side(FACTS, fact("test", c.test()));
            out.side(FACTS, fact("items", a.items.length));
            out.collect(Tuple4.of(KIND_TOTAL, "", a.users.length, order.length));
            // Ranks and dense ids both follow RawIdOrder, so the i-th kept rank is dense item i + 1.
            int dense = 0;
            for (int r = kept.nextSetBit(0); r >= 0; r = kept.nextSetBit(r + 1)) out.collect(Tuple4.of(KIND_ITEM, "", r, ++dense));
            for (int u = 0; u < a.users.length; u++) out.collect(Tuple4.of(KIND_USER, a.users[u], u, a.roles[u].ordinal()));
            if (a.users.length == 0) return;
            InteractionReader.Stats stats = new InteractionReader.Stats();
            Path base = Path.of(input);
            Files.createDirectories(Path.of(tmp));
            int missing = Catalogue.write(Path.of(tmp).resolve(PreparedDataset.ITEMS), a.items, format,
                    format.itemFiles(base), base, skipBadLines, stats);
            rc.getLongCounter("itemsWithoutMetadata").add(missing);
            out.side(FACTS, fact("badLines", stats.badLines));
            if (!stats.examples.isEmpty()) {
                ListAccumulator<String> ex = new ListAccumulator<>();
                stats.examples.forEach(ex::add);
                rc.addAccumulator("badItemLineExamples", ex);
            }
        }
    }

    /** Remaps a sequence to dense ids (from the broadcast assignment) and tags it with its output partition. */
    static final class FormatLines extends BroadcastProcessFunction<KeptSequence, Tuple4<Integer, String, Integer, Integer>,
            Tuple3<Integer, Integer, byte[]>> {
        private final SplitSpec split;
        private final int partitions;
        private transient int[] denseItems;
        private transient int totalUsers;
        private static final SplitRole[] ROLES = SplitRole.values();

        FormatLines(SplitSpec split, int partitions) {
            this.split = split;
            this.partitions = partitions;
        }

        @Override
        public void processBroadcastElement(Tuple4<Integer, String, Integer, Integer> a, Context ctx,
                                            Collector<Tuple3<Integer, Integer, byte[]>> out) throws Exception {
            switch (a.f0) {
                case KIND_ITEM -> ctx.getBroadcastState(ITEM_IDS).put(a.f2, a.f3);
                case KIND_USER -> ctx.getBroadcastState(USER_IDS).put(a.f1, a.f2 * 4 + a.f3);
                default -> {
                    ctx.getBroadcastState(TOTALS).put(0, a.f2);
                    ctx.getBroadcastState(TOTALS).put(1, a.f3);
                }
            }
        }

        @Override
        public void processElement(KeptSequence s, ReadOnlyContext ctx, Collector<Tuple3<Integer, Integer, byte[]>> out)
                throws Exception {
            if (denseItems == null) {
                // BATCH mode consumes the whole broadcast side first; copy it once into an array for fast lookups.
                Integer t = ctx.getBroadcastState(TOTALS).get(0);
                totalUsers = t == null ? 0 : t;
                Integer f = ctx.getBroadcastState(TOTALS).get(1);
                denseItems = new int[f == null ? 0 : f];
                for (Map.Entry<Integer, Integer> e : ctx.getBroadcastState(ITEM_IDS).immutableEntries()) {
                    denseItems[e.getKey()] = e.getValue();
                }
            }
            Integer packed = ctx.getBroadcastState(USER_IDS).get(s.user);
            if (packed == null) throw new IllegalStateException("user " + s.user + " has no dense id");
            int user = packed / 4;
            SplitRole role = ROLES[packed % 4];
            int n = s.items.length;
            int[] items = new int[n];
            for (int i = 0; i < n; i++) {
                items[i] = denseItems[s.items[i]];
                if (items[i] == 0) throw new IllegalStateException("item rank " + s.items[i] + " has no dense id");
            }
            int part = (int) ((long) user * partitions / Math.max(1, totalUsers));
            byte[] line = Finishing.line(user, role, s.user, items, s.times, split).getBytes(StandardCharsets.UTF_8);
            out.collect(Tuple3.of(part, user, line));
        }
    }

    /**
     * Writes each subtask's sorted lines to {@code sequences.part-NNNNN} in the output's temporary folder, and tells
     * the commit step which part it finished. A rerun of the task (a restart) truncates the part.
     */
    static final class PartWriter implements EndOfInput<Tuple3<Integer, Integer, byte[]>, Tuple3<String, Long, String>> {
        private final String dir;
        private transient int index;
        private transient long lines;
        private transient OutputStream w;

        PartWriter(String dir) {
            this.dir = dir;
        }

        @Override
        public void open(StreamingRuntimeContext ctx) throws IOException {
            index = ctx.getTaskInfo().getIndexOfThisSubtask();
            Files.createDirectories(Path.of(dir));
            w = new BufferedOutputStream(Files.newOutputStream(Path.of(dir, partName(index))), 1 << 16);
        }

        @Override
        public void add(Tuple3<Integer, Integer, byte[]> t) throws IOException {
            w.write(t.f2);
            w.write('\n');
            lines++;
        }

        @Override
        public void finish(Out<Tuple3<String, Long, String>> out) throws IOException {
            w.close();
            w = null;
            out.collect(Tuple3.of("part", (long) index, Long.toString(lines)));
        }

        @Override
        public void close() throws IOException {
            if (w != null) w.close();
        }
    }

    static String partName(int index) {
        return String.format("%s%05d", PART_PREFIX, index);
    }

    /** One input file's manifest entry (name relative to the input, SHA-256, size), as a "source" fact. */
    static final class HashSource implements MapFunction<Tuple2<Integer, String>, Tuple3<String, Long, String>> {
        private final PrepareOptions o;

        HashSource(PrepareOptions o) {
            this.o = o;
        }

        @Override
        public Tuple3<String, Long, String> map(Tuple2<Integer, String> f) throws IOException {
            DatasetManifest.SourceFile sf = Finishing.sourceFiles(o, List.of(Path.of(f.f1))).get(0);
            return Tuple3.of("source", sf.bytes(), f.f0 + "\t" + sf.sha256() + "\t" + sf.path());
        }
    }

    /**
     * The job's last step, in one task once everything else has finished: sums the counts, concatenates the parts
     * into sequences.tsv, writes the manifest (content hash included) and renames the temporary folder into place.
     * Any failure fails the job and leaves only the hidden temporary folder.
     */
    static final class Commit implements EndOfInput<Tuple3<String, Long, String>, Tuple3<String, Long, String>> {
        private final PrepareOptions o;
        private final SourceFormat format;
        private final String tmp;
        private transient Map<String, Long> sums;
        private transient List<Integer> parts;
        private transient Map<Integer, DatasetManifest.SourceFile> sources;

        Commit(PrepareOptions o, SourceFormat format, String tmp) {
            this.o = o;
            this.format = format;
            this.tmp = tmp;
        }

        @Override
        public void open(StreamingRuntimeContext ctx) {
            sums = new HashMap<>();
            parts = new ArrayList<>();
            sources = new java.util.TreeMap<>();
        }

        @Override
        public void add(Tuple3<String, Long, String> f) {
            switch (f.f0) {
                case "part" -> parts.add(f.f1.intValue());
                case "source" -> {
                    String[] t = f.f2.split("\t", 3);
                    sources.put(Integer.parseInt(t[0]), new DatasetManifest.SourceFile(t[2], t[1], f.f1));
                }
                default -> sums.merge(f.f0, f.f1, Long::sum);
            }
        }

        @Override
        public void finish(Out<Tuple3<String, Long, String>> out) throws Exception {
            Path dir = Path.of(tmp);
            long users = sums.getOrDefault("users", 0L);
            if (users == 0) {
                InteractionReader.Stats stats = new InteractionReader.Stats();
                stats.raw = sums.getOrDefault("raw", 0L);
                stats.belowMinRating = sums.getOrDefault("belowMinRating", 0L);
                AtomicOutput.deleteRecursively(dir);
                throw InMemoryPreparer.empty(o, stats);
            }
            java.util.Collections.sort(parts);
            concatenate(dir, parts);
            Finishing.SplitCounts counts = new Finishing.SplitCounts(users, sums.getOrDefault("interactions", 0L),
                    sums.getOrDefault("train", 0L), sums.getOrDefault("valid", 0L), sums.getOrDefault("test", 0L));
            DatasetManifest m = Finishing.manifestOf(o, format, new ArrayList<>(sources.values()), counts,
                    sums.getOrDefault("items", 0L), sums.getOrDefault("raw", 0L), sums.getOrDefault("badLines", 0L),
                    (int) Math.max(1, sums.getOrDefault("iterations", 0L)));
            DatasetManifest sealed = PreparedDataset.seal(dir, m);
            AtomicOutput.install(dir, o.out(), o.overwrite());
            out.collect(Tuple3.of("committed", users, sealed.contentHash()));
        }
    }

    /** sequences.tsv = header + the parts in index order (consecutive dense-user ranges, each sorted); parts go. */
    static void concatenate(Path tmp, List<Integer> parts) throws IOException {
        Path target = tmp.resolve(PreparedDataset.SEQUENCES);
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            out.write(java.nio.ByteBuffer.wrap((PreparedDataset.SEQUENCES_HEADER + "\n").getBytes(StandardCharsets.UTF_8)));
            for (int i : parts) {
                try (FileChannel in = FileChannel.open(tmp.resolve(partName(i)), StandardOpenOption.READ)) {
                    long size = in.size();
                    long done = 0;
                    while (done < size) done += in.transferTo(done, size - done, out);
                }
            }
        }
        for (int i : parts) Files.delete(tmp.resolve(partName(i)));
    }

    private static long counter(JobExecutionResult r, String name) {
        Object v = r.getAccumulatorResult(name);
        return v instanceof Number n ? n.longValue() : 0;
    }

    /** The user-facing failure inside a failed job (a bad line, a missing file), or the job failure itself. */
    static Exception unwrap(Exception e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof EimfException ee) return ee;
            if (t instanceof SerializedThrowable st && st.getOriginalErrorClassName().startsWith("io.eimf")) {
                return new EimfException(st.getMessage());
            }
        }
        return e;
    }

}
