package io.eimf.flink.prepare;

import io.eimf.core.cli.EimfException;
import io.eimf.core.dataset.DatasetManifest;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.io.AtomicOutput;
import io.eimf.flink.format.FileRange;
import io.eimf.flink.format.InteractionReader;
import io.eimf.flink.format.InteractionRecord;
import io.eimf.flink.format.SourceFormat;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.ListAccumulator;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.MapPartitionFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.functions.RichMapPartitionFunction;
import org.apache.flink.api.common.operators.Order;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
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
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.SerializedThrowable;

/**
 * {@code eimf prepare} as a Flink 2 DataStream job in BATCH mode: parse, implicit feedback, frequency filter, per-user
 * time order, dense ids, split. Runs on an embedded mini-cluster when started from a plain JVM and on the cluster when
 * submitted with {@code flink run -c io.eimf.flink.prepare.PrepareJob eimf-flink-jobs-*-job.jar --format ... --input
 * ... --out ...}; input and output must then be on a filesystem every TaskManager mounts at the same path.
 *
 * <p>Graph: file byte ranges → parse, combine per user and range (p; per-range item counts on a side output →
 * keyBy item: totals → broadcast) → keyBy user + broadcast: drop rare items and short users, sort by time (p) →
 * [k-core: finish the iteration in one task] → distinct items per subtask + users (side output) → assign ids and
 * roles (1 task, also writes items.jsonl) → broadcast to the formatter (p) → range-partition by dense user id, sort
 * each partition → {@code sequences.part-N}. The client concatenates the parts in order and seals the manifest.
 * Output is byte-identical to {@link InMemoryPreparer} for every parallelism.
 */
public final class PrepareJob {
    static final String PART_PREFIX = "sequences.part-";

    private PrepareJob() {}

    /** Entry point for {@code flink run} and for tests; exceptions propagate (the Flink CLI prints them). */
    public static void main(String[] args) throws Exception {
        CommandLine cl = new DefaultParser().parse(PrepareOptions.cliOptions(), args);
        PrepareOptions o = PrepareOptions.fromCommandLine(cl, Path::of);
        PrepareResult r = run(o, System.err);
        System.out.println(r.summary());
    }

    /** Runs the job and writes the dataset atomically; progress and warnings go to {@code log}. */
    public static PrepareResult run(PrepareOptions o, PrintStream log) throws Exception {
        long t0 = System.nanoTime();
        SourceFormat format = o.resolveFormat();
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

        JobExecutionResult[] result = new JobExecutionResult[1];
        DatasetManifest[] sealed = new DatasetManifest[1];
        Path dir = AtomicOutput.directory(o.out(), o.overwrite(), tmp -> {
            build(env, o, format, ranges, tmp, p);
            try {
                result[0] = env.execute("eimf prepare " + format.name() + " " + o.input().getFileName());
            } catch (Exception e) {
                throw unwrap(e);
            }
            JobExecutionResult r = result[0];
            if (!r.isJobExecutionResult()) {
                // flink run -d returns before the job ends: the client could neither read the counts nor seal.
                throw new EimfException("the prepare job must run attached (flink run without -d): the client "
                        + "concatenates the part files and writes the manifest when the job has finished");
            }
            long users = counter(r, "users");
            InteractionReader.Stats stats = new InteractionReader.Stats();
            stats.raw = counter(r, "raw");
            stats.belowMinRating = counter(r, "belowMinRating");
            if (users == 0) throw InMemoryPreparer.empty(o, stats);
            concatenate(tmp, p);
            long iterations = Math.max(1, counter(r, "iterations"));
            Finishing.SplitCounts counts = new Finishing.SplitCounts(users, counter(r, "interactions"),
                    counter(r, "train"), counter(r, "valid"), counter(r, "test"));
            DatasetManifest m = Finishing.manifest(o, format, Finishing.allFiles(format, o.input()), counts,
                    counter(r, "items"), stats.raw, counter(r, "badLines"), (int) iterations);
            sealed[0] = PreparedDataset.seal(tmp, m);
        });
        List<String> examples = new ArrayList<>();
        for (String name : List.of("badLineExamples", "badItemLineExamples")) {
            List<String> l = result[0].getAccumulatorResult(name);
            if (l != null) examples.addAll(l);
        }
        List<String> shown = examples.stream().sorted().limit(InteractionReader.MAX_EXAMPLES).toList();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new PrepareResult(dir, sealed[0], "flink", p, ms, result[0].getNetRuntime(), shown, counter(result[0], "itemsWithoutMetadata"));
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
                              List<FileRange> ranges, Path tmp, int p) {
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
        SingleOutputStreamOperator<RawSequence> grouped = parsed
                .keyBy(new UserKey())
                .connect(frequent.broadcast(FREQUENT_ITEMS))
                .process(new UserSequences(o.minUserCount()))
                .name("drop items < " + o.minItemCount() + ", users < " + o.minUserCount() + ", sort by time")
                .returns(TypeInformation.of(RawSequence.class));
        DataStream<RawSequence> seqs = grouped;
        boolean kCore = o.filter().equals(PrepareOptions.FILTER_KCORE);
        if (kCore) {
            seqs = seqs.fullWindowPartition().mapPartition(new KCoreFinish(o.minItemCount(), o.minUserCount()))
                    .name("k-core until stable").setParallelism(1)
                    .returns(TypeInformation.of(RawSequence.class));
        }

        TypeInformation<Tuple3<Integer, String, Integer>> keyType = Types.TUPLE(Types.INT, Types.STRING, Types.INT);
        // Each subtask sends its distinct items once (bounded by the catalogue), not one record per user and item.
        DataStream<Tuple3<Integer, String, Integer>> items = seqs
                .fullWindowPartition().mapPartition(new DistinctItems()).returns(keyType).name("distinct items");
        // Users and their lengths come from a side output of the grouping step, so no consumer re-reads the sequences.
        DataStream<Tuple3<Integer, String, Integer>> users = !kCore ? grouped.getSideOutput(USERS)
                : seqs.map(s -> Tuple3.of(KIND_USER, s.user, s.items.length)).returns(keyType).name("users");
        TypeInformation<Tuple4<Integer, String, Integer, Integer>> assignType =
                Types.TUPLE(Types.INT, Types.STRING, Types.INT, Types.INT);
        DataStream<Tuple4<Integer, String, Integer, Integer>> assignments = items.union(users)
                .fullWindowPartition()
                .mapPartition(new AssignIds(o.split(), format, o.input().toString(), o.skipBadLines(), tmp.toString()))
                .returns(assignType).name("assign ids and roles, write items.jsonl").setParallelism(1);

        TypeInformation<Tuple3<Integer, Integer, String>> lineType = Types.TUPLE(Types.INT, Types.INT, Types.STRING);
        seqs.connect(assignments.broadcast(ITEM_IDS, USER_IDS, TOTALS))
                .process(new FormatLines(o.split(), p)).returns(lineType).name("remap and format")
                .partitionCustom((Integer part, int n) -> part, new PartKey())
                .fullWindowPartition().sortPartition(1, Order.ASCENDING).name("order by user")
                .sinkTo(new PartSink(tmp.toString())).name("sequences parts");
    }

    static final int KIND_ITEM = 0;
    static final int KIND_USER = 1;
    static final int KIND_TOTAL = 2;
    static final MapStateDescriptor<String, Integer> ITEM_IDS = new MapStateDescriptor<>("itemIds", Types.STRING, Types.INT);
    /** Value: dense user id * 4 + role ordinal. */
    static final MapStateDescriptor<String, Integer> USER_IDS = new MapStateDescriptor<>("userIds", Types.STRING, Types.INT);
    static final MapStateDescriptor<Integer, Integer> TOTALS = new MapStateDescriptor<>("totals", Types.INT, Types.INT);

    static final class UserKey implements org.apache.flink.api.java.functions.KeySelector<PartialSequence, String> {
        @Override
        public String getKey(PartialSequence r) {
            return r.user;
        }
    }

    static final class PartKey implements org.apache.flink.api.java.functions.KeySelector<Tuple3<Integer, Integer, String>, Integer> {
        @Override
        public Integer getKey(Tuple3<Integer, Integer, String> t) {
            return t.f0;
        }
    }

    static final OutputTag<Tuple2<String, Long>> ITEM_COUNTS =
            new OutputTag<>("itemCounts", Types.TUPLE(Types.STRING, Types.LONG));
    static final OutputTag<Tuple3<Integer, String, Integer>> USERS =
            new OutputTag<>("users", Types.TUPLE(Types.INT, Types.STRING, Types.INT));
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
        /** A partial sequence being filled and its length. */
        private static final class Builder {
            final PartialSequence seq;
            int n;

            Builder(PartialSequence seq) {
                this.seq = seq;
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
            Map<String, long[]> counts = new HashMap<>();
            Map<String, Builder> users = new HashMap<>();
            Builder[] last = new Builder[1];
            reader.read(range, s, r -> {
                counts.computeIfAbsent(r.item, k -> new long[1])[0]++;
                // Sources are mostly grouped by user: skip the map lookup while the user does not change.
                Builder b = last[0];
                if (b == null || !b.seq.user.equals(r.user)) {
                    b = users.computeIfAbsent(r.user, k -> new Builder(new PartialSequence(k, 8)));
                    last[0] = b;
                }
                b.seq.add(b.n++, r);
            });
            for (Map.Entry<String, long[]> e : counts.entrySet()) {
                ctx.output(ITEM_COUNTS, Tuple2.of(e.getKey(), e.getValue()[0]));
            }
            for (Builder b : users.values()) out.collect(b.seq.trim(b.n));
            raw.add(s.raw);
            below.add(s.belowMinRating);
            bad.add(s.badLines);
            s.examples.forEach(examples::add);
        }
    }

    /**
     * Gathers one user's partial sequences (BATCH mode: the broadcast item totals arrive first, then one key at a
     * time), drops interactions with rare items, keeps the user if long enough and orders the sequence by the
     * shared rule. Filtering here rather than in a separate step saves a full pass of the interactions.
     */
    static final class UserSequences
            extends KeyedBroadcastProcessFunction<String, PartialSequence, Tuple2<String, Long>, RawSequence> {
        private final int min;
        private transient ListState<PartialSequence> buffer;
        private transient HashSet<String> frequent;

        UserSequences(int min) {
            this.min = min;
        }

        @Override
        public void open(OpenContext ctx) {
            buffer = getRuntimeContext().getListState(
                    new ListStateDescriptor<>("user", TypeInformation.of(PartialSequence.class)));
        }

        @Override
        public void processBroadcastElement(Tuple2<String, Long> t, Context ctx, Collector<RawSequence> out)
                throws Exception {
            ctx.getBroadcastState(FREQUENT_ITEMS).put(t.f0, t.f1);
        }

        @Override
        public void processElement(PartialSequence p, ReadOnlyContext ctx, Collector<RawSequence> out) throws Exception {
            if (frequent == null) {
                frequent = new HashSet<>();
                for (Map.Entry<String, Long> e : ctx.getBroadcastState(FREQUENT_ITEMS).immutableEntries()) {
                    frequent.add(e.getKey());
                }
            }
            // A fresh copy of the kept part: object reuse is on and the batch state backend keeps references.
            int n = p.items.length;
            PartialSequence kept = new PartialSequence(p.user, n);
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (frequent.contains(p.items[i])) {
                    kept.items[k] = p.items[i];
                    kept.times[k] = p.times[i];
                    kept.orders[k] = p.orders[i];
                    kept.pos[k++] = p.pos[i];
                }
            }
            if (k == 0) return;
            buffer.add(kept.trim(k));
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE); // fires when this key is complete
        }

        @Override
        public void onTimer(long ts, OnTimerContext ctx, Collector<RawSequence> out) throws Exception {
            List<PartialSequence> parts = new ArrayList<>();
            int n = 0;
            for (PartialSequence p : buffer.get()) {
                parts.add(p);
                n += p.length();
            }
            buffer.clear();
            if (!SequenceRules.keep(n, min)) return;
            String[] items = new String[n];
            long[] times = new long[n];
            long[] orders = new long[n];
            int[] pos = new int[n];
            int k = 0;
            for (PartialSequence p : parts) {
                int m = p.length();
                System.arraycopy(p.items, 0, items, k, m);
                System.arraycopy(p.times, 0, times, k, m);
                System.arraycopy(p.orders, 0, orders, k, m);
                System.arraycopy(p.pos, 0, pos, k, m);
                k += m;
            }
            out.collect(SequenceRules.sequence(ctx.getCurrentKey(), items, times, orders, pos));
            ctx.output(USERS, Tuple3.of(KIND_USER, ctx.getCurrentKey(), n));
        }
    }

    /**
     * k-core after the first parallel pass: Flink 2's DataStream API has no bulk iterations, so the (much smaller)
     * surviving sequences are finished in one task with the shared rule.
     */
    static final class KCoreFinish extends RichMapPartitionFunction<RawSequence, RawSequence> {
        private final int minItem;
        private final int minUser;

        KCoreFinish(int minItem, int minUser) {
            this.minItem = minItem;
            this.minUser = minUser;
        }

        @Override
        public void mapPartition(Iterable<RawSequence> in, Collector<RawSequence> out) {
            List<RawSequence> all = new ArrayList<>();
            for (RawSequence s : in) all.add(new RawSequence(s.user, s.items, s.times));
            int passes = SequenceRules.kCore(all, minItem, minUser);
            getRuntimeContext().getLongCounter("iterations").add(passes);
            all.forEach(out::collect);
        }
    }

    static final class DistinctItems implements MapPartitionFunction<RawSequence, Tuple3<Integer, String, Integer>> {
        @Override
        public void mapPartition(Iterable<RawSequence> in, Collector<Tuple3<Integer, String, Integer>> out) {
            HashSet<String> seen = new HashSet<>();
            for (RawSequence s : in) for (String it : s.items) seen.add(it);
            for (String it : seen) out.collect(Tuple3.of(KIND_ITEM, it, 0));
        }
    }

    /**
     * The one global step: dense ids and roles from the kept items and users (one record each, not per
     * interaction), with the shared {@link Assignment}; also writes items.jsonl and the split counts.
     */
    static final class AssignIds extends RichMapPartitionFunction<Tuple3<Integer, String, Integer>,
            Tuple4<Integer, String, Integer, Integer>> {
        private final SplitSpec split;
        private final SourceFormat format;
        private final String input;
        private final boolean skipBadLines;
        private final String tmp;

        AssignIds(SplitSpec split, SourceFormat format, String input, boolean skipBadLines, String tmp) {
            this.split = split;
            this.format = format;
            this.input = input;
            this.skipBadLines = skipBadLines;
            this.tmp = tmp;
        }

        @Override
        public void mapPartition(Iterable<Tuple3<Integer, String, Integer>> in,
                                 Collector<Tuple4<Integer, String, Integer, Integer>> out) throws Exception {
            HashSet<String> items = new HashSet<>();
            Map<String, Integer> lengths = new HashMap<>();
            for (Tuple3<Integer, String, Integer> t : in) {
                if (t.f0 == KIND_ITEM) items.add(t.f1);
                else lengths.put(t.f1, t.f2);
            }
            Assignment a = Assignment.of(items, lengths.keySet(), split);
            int[] len = new int[a.users.length];
            for (int u = 0; u < len.length; u++) len[u] = lengths.get(a.users[u]);
            Finishing.SplitCounts c = Finishing.SplitCounts.of(a.roles, len, split);
            var rc = getRuntimeContext();
            rc.getLongCounter("users").add(c.users());
            rc.getLongCounter("interactions").add(c.interactions());
            rc.getLongCounter("train").add(c.train());
            rc.getLongCounter("valid").add(c.valid());
            rc.getLongCounter("test").add(c.test());
            rc.getLongCounter("items").add(a.items.length);
            out.collect(Tuple4.of(KIND_TOTAL, "", a.users.length, 0));
            for (int i = 0; i < a.items.length; i++) out.collect(Tuple4.of(KIND_ITEM, a.items[i], i + 1, 0));
            for (int u = 0; u < a.users.length; u++) out.collect(Tuple4.of(KIND_USER, a.users[u], u, a.roles[u].ordinal()));
            if (a.users.length == 0) return;
            InteractionReader.Stats stats = new InteractionReader.Stats();
            Path base = Path.of(input);
            int missing = Catalogue.write(Path.of(tmp).resolve(PreparedDataset.ITEMS), a.items, format,
                    format.itemFiles(base), base, skipBadLines, stats);
            rc.getLongCounter("itemsWithoutMetadata").add(missing);
            rc.getLongCounter("badLines").add(stats.badLines);
            if (!stats.examples.isEmpty()) {
                ListAccumulator<String> ex = new ListAccumulator<>();
                stats.examples.forEach(ex::add);
                rc.addAccumulator("badItemLineExamples", ex);
            }
        }
    }

    /** Remaps a sequence to dense ids (from the broadcast assignment) and tags it with its output partition. */
    static final class FormatLines extends BroadcastProcessFunction<RawSequence, Tuple4<Integer, String, Integer, Integer>,
            Tuple3<Integer, Integer, String>> {
        private final SplitSpec split;
        private final int partitions;
        private transient Map<String, Integer> itemIds;
        private transient int totalUsers;
        private static final SplitRole[] ROLES = SplitRole.values();

        FormatLines(SplitSpec split, int partitions) {
            this.split = split;
            this.partitions = partitions;
        }

        @Override
        public void processBroadcastElement(Tuple4<Integer, String, Integer, Integer> a, Context ctx,
                                            Collector<Tuple3<Integer, Integer, String>> out) throws Exception {
            switch (a.f0) {
                case KIND_ITEM -> ctx.getBroadcastState(ITEM_IDS).put(a.f1, a.f2);
                case KIND_USER -> ctx.getBroadcastState(USER_IDS).put(a.f1, a.f2 * 4 + a.f3);
                default -> ctx.getBroadcastState(TOTALS).put(0, a.f2);
            }
        }

        @Override
        public void processElement(RawSequence s, ReadOnlyContext ctx, Collector<Tuple3<Integer, Integer, String>> out)
                throws Exception {
            if (itemIds == null) {
                // BATCH mode consumes the whole broadcast side first; copy it once into a plain map for fast lookups.
                itemIds = new HashMap<>();
                for (Map.Entry<String, Integer> e : ctx.getBroadcastState(ITEM_IDS).immutableEntries()) {
                    itemIds.put(e.getKey(), e.getValue());
                }
                Integer t = ctx.getBroadcastState(TOTALS).get(0);
                totalUsers = t == null ? 0 : t;
            }
            ReadOnlyBroadcastState<String, Integer> users = ctx.getBroadcastState(USER_IDS);
            Integer packed = users.get(s.user);
            if (packed == null) throw new IllegalStateException("user " + s.user + " has no dense id");
            int user = packed / 4;
            SplitRole role = ROLES[packed % 4];
            int part = (int) ((long) user * partitions / Math.max(1, totalUsers));
            out.collect(Tuple3.of(part, user, Finishing.line(user, role, s, itemIds, split)));
        }
    }

    /** Writes each subtask's sorted lines to {@code sequences.part-NNNNN} in the output's temporary folder. */
    static final class PartSink implements Sink<Tuple3<Integer, Integer, String>> {
        private final String dir;

        PartSink(String dir) {
            this.dir = dir;
        }

        @Override
        public SinkWriter<Tuple3<Integer, Integer, String>> createWriter(WriterInitContext ctx) throws IOException {
            Path file = Path.of(dir, String.format("%s%05d", PART_PREFIX, ctx.getTaskInfo().getIndexOfThisSubtask()));
            BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            return new SinkWriter<>() {
                @Override
                public void write(Tuple3<Integer, Integer, String> t, Context c) throws IOException {
                    w.write(t.f2);
                    w.write('\n');
                }

                @Override
                public void flush(boolean endOfInput) throws IOException {
                    w.flush();
                }

                @Override
                public void close() throws IOException {
                    w.close();
                }
            };
        }
    }

    /** sequences.tsv = header + part 0 + part 1 + ... (parts hold consecutive dense-user ranges, each sorted). */
    static void concatenate(Path tmp, int parts) throws IOException {
        Path target = tmp.resolve(PreparedDataset.SEQUENCES);
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(java.nio.ByteBuffer.wrap((PreparedDataset.SEQUENCES_HEADER + "\n").getBytes(StandardCharsets.UTF_8)));
            for (int i = 0; i < parts; i++) {
                Path part = tmp.resolve(String.format("%s%05d", PART_PREFIX, i));
                if (!Files.exists(part)) continue;
                try (FileChannel in = FileChannel.open(part, StandardOpenOption.READ)) {
                    long size = in.size();
                    long done = 0;
                    while (done < size) done += in.transferTo(done, size - done, out);
                }
                Files.delete(part);
            }
        }
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
