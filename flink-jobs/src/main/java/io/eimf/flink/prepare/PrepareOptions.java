package io.eimf.flink.prepare;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.UsageException;
import io.eimf.flink.format.Formats;
import io.eimf.flink.format.SourceFormat;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * Settings of one preparation run: the required input, output and format in the constructor, everything else
 * through fluent {@code with...} copies. Immutable; both engines read the same object. Serializable (paths kept as
 * strings) because the Flink job's commit step, which writes the manifest on the cluster, carries it.
 */
public final class PrepareOptions implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** Default seed of the comirec user shuffle. */
    public static final long DEFAULT_SEED = 42L;
    public static final String FILTER_COMIREC = "comirec";
    public static final String FILTER_KCORE = "k-core";

    private final String format;
    private final String input;
    private final String out;
    private String columns;
    private String delimiter;
    private boolean header;
    private Double minRating;
    private String filter = FILTER_COMIREC;
    private int minItemCount = 5;
    private int minUserCount = 5;
    private SplitSpec split = SplitSpec.comirec(DEFAULT_SEED);
    private int parallelism;
    private boolean skipBadLines;
    private boolean overwrite;

    /**
     * @param format one of {@link Formats#NAMES}
     * @param input the folder (or, for csv/seq-txt/amazon, the file) holding the source data
     * @param out the prepared dataset directory to create (written atomically)
     */
    public PrepareOptions(String format, Path input, Path out) {
        if (!Formats.NAMES.contains(format)) {
            throw new UsageException("unknown format '" + format + "' (one of " + String.join(", ", Formats.NAMES) + ")");
        }
        this.format = format;
        this.input = input.toAbsolutePath().normalize().toString();
        this.out = out.toAbsolutePath().normalize().toString();
    }

    private PrepareOptions copy() {
        return copyTo(Path.of(out));
    }

    private PrepareOptions copyTo(Path target) {
        PrepareOptions o = new PrepareOptions(format, Path.of(input), target);
        o.columns = columns;
        o.delimiter = delimiter;
        o.header = header;
        o.minRating = minRating;
        o.filter = filter;
        o.minItemCount = minItemCount;
        o.minUserCount = minUserCount;
        o.split = split;
        o.parallelism = parallelism;
        o.skipBadLines = skipBadLines;
        o.overwrite = overwrite;
        return o;
    }

    /** csv only: the column mapping, delimiter and whether files start with a header. */
    public PrepareOptions withCsv(String columns, String delimiter, boolean header) {
        PrepareOptions o = copy();
        o.columns = columns;
        o.delimiter = delimiter;
        o.header = header;
        return o;
    }

    /** Interactions rated below this are dropped (implicit feedback); null keeps all. */
    public PrepareOptions withMinRating(Double minRating) {
        PrepareOptions o = copy();
        o.minRating = minRating;
        return o;
    }

    /** {@code comirec} (one pass: items, then users) or {@code k-core} (until stable), with the two minimums. */
    public PrepareOptions withFilter(String mode, int minItemCount, int minUserCount) {
        if (!mode.equals(FILTER_COMIREC) && !mode.equals(FILTER_KCORE)) {
            throw new UsageException("--filter must be comirec or k-core, got '" + mode + "'");
        }
        if (minItemCount < 1 || minUserCount < 1) throw new UsageException("minimum counts must be at least 1");
        PrepareOptions o = copy();
        o.filter = mode;
        o.minItemCount = minItemCount;
        o.minUserCount = minUserCount;
        return o;
    }

    public PrepareOptions withSplit(SplitSpec split) {
        PrepareOptions o = copy();
        o.split = split;
        return o;
    }

    /** Flink parallelism; 0 uses the environment's default (the cores here, the cluster's default there). */
    public PrepareOptions withParallelism(int parallelism) {
        if (parallelism < 0) throw new UsageException("--parallelism must be >= 1");
        PrepareOptions o = copy();
        o.parallelism = parallelism;
        return o;
    }

    public PrepareOptions withSkipBadLines(boolean skip) {
        PrepareOptions o = copy();
        o.skipBadLines = skip;
        return o;
    }

    public PrepareOptions withOverwrite(boolean overwrite) {
        PrepareOptions o = copy();
        o.overwrite = overwrite;
        return o;
    }

    /** Same settings, another output directory. */
    public PrepareOptions withOut(Path out) {
        return copyTo(out);
    }

    public String formatName() { return format; }
    public Path input() { return Path.of(input); }
    public Path out() { return Path.of(out); }
    public Double minRating() { return minRating; }
    public String filter() { return filter; }
    public int minItemCount() { return minItemCount; }
    public int minUserCount() { return minUserCount; }
    public SplitSpec split() { return split; }
    public int parallelism() { return parallelism; }
    public boolean skipBadLines() { return skipBadLines; }
    public boolean overwrite() { return overwrite; }

    /** Resolves the format (csv reads its header here) and checks options that depend on it. */
    public SourceFormat resolveFormat() {
        if (!java.nio.file.Files.exists(input())) throw new io.eimf.core.cli.EimfException("input " + input + " does not exist");
        SourceFormat f = Formats.of(format, columns, delimiter, header, input());
        if (minRating != null && !f.hasRating()) {
            throw new UsageException("--min-rating: format " + format + (format.equals("csv") ? " without a rating column" : "")
                    + " has no ratings");
        }
        return f;
    }

    /** The command-line options shared by {@code eimf prepare} and {@code PrepareJob.main}. */
    public static Options cliOptions() {
        return new Options()
                .addOption(Args.option("format", "NAME", "input format: " + String.join(", ", Formats.NAMES)))
                .addOption(Args.option("input", "PATH",
                        "folder (or file) with the source data; on a cluster a path every TaskManager sees"))
                .addOption(Args.option("out", "DIR", "prepared dataset directory to create (temp folder, then rename)"))
                .addOption(Args.option("columns", "MAP",
                        "csv: user=COL,item=COL[,time=COL][,rating=COL]; COL 1-based or a header name"))
                .addOption(Args.option("delimiter", "C", "csv: field delimiter (default ',', 'tab' for tabs)"))
                .addOption(Option.builder().longOpt("header").desc("csv: files start with a header line").get())
                .addOption(Args.option("min-rating", "R", "drop interactions rated below R (default: keep all)"))
                .addOption(Args.option("filter", "MODE",
                        "comirec (one pass: items, then users; default) or k-core (until stable)"))
                .addOption(Args.option("min-item-count", "N", "drop items with fewer interactions (default 5)"))
                .addOption(Args.option("min-user-count", "N", "drop users with fewer interactions (default 5)"))
                .addOption(Args.option("split", "PROTOCOL",
                        "comirec (8:1:1 users, 80% history; default) or loo (leave-one-out)"))
                .addOption(Args.option("split-seed", "SEED",
                        "seed of the comirec user shuffle (default " + DEFAULT_SEED + ")"))
                .addOption(Args.option("parallelism", "P",
                        "Flink parallelism (default: the cores here, the cluster default under flink run)"))
                .addOption(Option.builder().longOpt("skip-bad-lines")
                        .desc("count malformed lines into the manifest instead of failing").get())
                .addOption(Option.builder().longOpt("overwrite").desc("replace an existing output directory").get());
    }

    /** Reads {@link #cliOptions()}. */
    public static PrepareOptions fromCommandLine(CommandLine cl, java.util.function.Function<String, Path> paths) {
        PrepareOptions o = new PrepareOptions(Args.required(cl, "format"), paths.apply(Args.required(cl, "input")),
                paths.apply(Args.required(cl, "out")));
        if (cl.hasOption("columns") || cl.hasOption("delimiter") || cl.hasOption("header")) {
            if (!o.format.equals("csv")) throw new UsageException("--columns/--delimiter/--header apply to --format csv only");
            o = o.withCsv(cl.getOptionValue("columns"), cl.getOptionValue("delimiter"), cl.hasOption("header"));
        }
        if (cl.hasOption("min-rating")) o = o.withMinRating(Args.doubleValue(cl, "min-rating", 0));
        o = o.withFilter(Args.choice(cl, "filter", FILTER_COMIREC, FILTER_COMIREC, FILTER_KCORE),
                Args.intValue(cl, "min-item-count", 5), Args.intValue(cl, "min-user-count", 5));
        String split = Args.choice(cl, "split", SplitSpec.COMIREC, SplitSpec.COMIREC, SplitSpec.LOO);
        long seed = Args.longValue(cl, "split-seed", DEFAULT_SEED);
        if (split.equals(SplitSpec.LOO) && cl.hasOption("split-seed")) {
            throw new UsageException("--split-seed applies to --split comirec only (loo has no randomness)");
        }
        o = o.withSplit(split.equals(SplitSpec.LOO) ? SplitSpec.loo() : SplitSpec.comirec(seed));
        int p = Args.intValue(cl, "parallelism", 0);
        if (cl.hasOption("parallelism") && p < 1) throw new UsageException("--parallelism must be >= 1, got " + p);
        return o.withParallelism(p).withSkipBadLines(cl.hasOption("skip-bad-lines")).withOverwrite(cl.hasOption("overwrite"));
    }
}
