package io.eimf.model.bench;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.UsageException;
import io.eimf.core.dataset.EvaluationCase;
import io.eimf.model.backbone.Backbones;
import io.eimf.model.esim.BenchSemantics;
import io.eimf.model.esim.Esim;
import io.eimf.model.esim.EsimOptions;
import io.eimf.model.esim.SemanticBank;
import io.eimf.model.eval.Evaluator;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.Backend;
import io.eimf.model.nn.Rng;
import io.eimf.model.nn.StepThreads;
import io.eimf.model.train.TrainOptions;
import io.eimf.model.train.Trainer;
import io.eimf.model.train.TrainingData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code eimf bench train}: median milliseconds per training step and evaluation time per 1000 users on random
 * sequences of a given shape (defaults B=128, L=50, d=64, K=4, 3000 items, 10 x B = 1280 negatives), plus each
 * row's peak resident memory. Prints one table row per backbone. Besides the process CPU per step it prints the
 * calling thread's CPU per step ("main cpu ms"): with step threads that is the step's critical path, roughly what
 * an idle machine's wall time would be, and it barely moves with other processes' load.
 */
public final class BenchTrainCommand implements Command {
    @Override
    public String name() {
        return "bench train";
    }

    @Override
    public String summary() {
        return "benchmark IBIM training steps and full-ranking evaluation (ms/step, ms per 1000 users, RSS)";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.option("backbone", "comirec-sa|comirec-dr|mind|all (default all)"))
                .addOption(Args.option("batch", "batch size (default 128)"))
                .addOption(Args.option("max-len", "history length L (default 50)"))
                .addOption(Args.option("dim", "d (default 64)"))
                .addOption(Args.option("interests", "K (default 4)"))
                .addOption(Args.option("items", "catalogue size (default 3000)"))
                .addOption(Args.option("negatives", "negatives per batch row (default 10: 1280 at B=128)"))
                .addOption(Args.option("steps", "timed steps (default 150)"))
                .addOption(Args.option("warmup", "untimed steps first, so the JIT has compiled the step (default 150)"))
                .addOption(Args.option("eval-users", "users in the evaluation timing (default 2000)"))
                .addOption(Args.option("threads", "BLAS/op threads per step thread (default: ND4J's choice)"))
                .addOption(Args.option("step-threads", "Java threads sharing each step, each with --threads BLAS threads (default "
                        + StepThreads.defaultThreads() + ": min(2, processors))"))
                .addOption(Args.option("esim", "also time each backbone with these ESIM losses: none|align|predict|both (default both)"))
                .addOption(Args.option("esim-share", "share of batch rows with semantic interests in the ESIM rows (default 0.13, "
                        + "MovieLens 100K's 100 typical samples of 754 training users; 1 = --semantic-scope cluster)"))
                .addOption(Option.builder().longOpt("no-workspace").desc("allocate per op instead of a step workspace").get());
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        int b = Args.intValue(cl, "batch", 128);
        int l = Args.intValue(cl, "max-len", 50);
        int d = Args.intValue(cl, "dim", 64);
        int k = Args.intValue(cl, "interests", 4);
        int items = Args.intValue(cl, "items", 3000);
        int neg = Args.intValue(cl, "negatives", 10);
        int steps = Args.intValue(cl, "steps", 150);
        // C2 keeps compiling the step loops for ~100 steps; a shorter warm-up times the JIT on the other core.
        int warmup = Args.intValue(cl, "warmup", 150);
        int evalUsers = Args.intValue(cl, "eval-users", 2000);
        String which = cl.getOptionValue("backbone", "all");
        List<String> names = which.equals("all") ? Backbones.NAMES : List.of(Args.choice(cl, "backbone", null,
                Backbones.NAMES.toArray(new String[0])));
        Backend.setThreads(Args.intValue(cl, "threads", 0));
        boolean ws = !cl.hasOption("no-workspace");
        int stepThreads = Args.intValue(cl, "step-threads", StepThreads.defaultThreads());
        if (stepThreads < 1) throw new UsageException("--step-threads must be positive");

        // random sequences long enough that every history fills L positions
        Rng rng = new Rng(42);
        int users = Math.max(2 * b, 1000);
        int[][] seqs = new int[users][];
        int[] ids = new int[users];
        for (int u = 0; u < users; u++) {
            ids[u] = u;
            seqs[u] = new int[l + 20];
            for (int t = 0; t < seqs[u].length; t++) seqs[u][t] = 1 + rng.nextInt(items);
        }
        List<EvaluationCase> evalCases = new ArrayList<>();
        for (int u = 0; u < evalUsers; u++) {
            int[] h = new int[l];
            for (int t = 0; t < l; t++) h[t] = 1 + rng.nextInt(items);
            evalCases.add(new EvaluationCase(u, h, new int[] {1 + rng.nextInt(items)}));
        }
        TrainingData data = new TrainingData(items, ids, seqs, List.of(), List.of());

        ctx.out().println("eimf bench train: " + Backend.describe() + (ws ? ", step workspace" : ", no workspace")
                + ", " + stepThreads + " step thread" + (stepThreads == 1 ? "" : "s"));
        ctx.out().printf(Locale.ROOT, "shape: B=%d L=%d d=%d K=%d items=%d negatives=%d (uniform); %d warm-up + %d timed steps; "
                + "evaluation: %d users, full ranking, top-50%n", b, l, d, k, items, neg * b, warmup, steps, evalUsers);
        EsimOptions.Mode esimMode = EsimOptions.Mode.parse(cl.getOptionValue("esim", "both"));
        double share = Args.doubleValue(cl, "esim-share", 0.13);
        SemanticBank bank = esimMode == EsimOptions.Mode.NONE ? null : BenchSemantics.bank(users, share, 4, 60, 384, rng);
        if (bank != null) {
            ctx.out().printf(Locale.ROOT, "ESIM rows: --esim %s, %.0f%% of users with 4 random 384-d semantic interests "
                    + "(vocabulary 60), defaults lambda/tau; same batches as the plain row%n", esimMode.label(), 100 * share);
        }
        boolean perRow = resetPeakRss();
        ctx.out().printf(Locale.ROOT, "peak RSS: %s%n", perRow
                ? "each row's own peak (VmHWM reset through /proc/self/clear_refs before the row; the JVM keeps the heap it grew)"
                : "the process peak so far (this kernel cannot reset VmHWM), so a row includes the rows before it");
        ctx.out().printf(Locale.ROOT, "%-18s %10s %10s %10s %12s %12s %16s %12s%n", "backbone", "median ms", "p10 ms", "p90 ms",
                "cpu ms/step", "main cpu ms", "eval ms/1000 u", "peak RSS MB");
        for (String name : names) for (boolean esim : bank == null ? new boolean[] {false} : new boolean[] {false, true}) {
            resetPeakRss();
            // the shipped defaults, alignment included (it moves no work: padding is skipped or masked either way)
            IbimModel model = new IbimModel(IbimConfig.defaults(name, d, k, l, items), DataType.FLOAT, 1);
            Trainer t = new Trainer(model, data, TrainOptions.defaults().withBatch(b, 1e-3, neg).withWorkspace(ws)
                    .withStepThreads(stepThreads));
            if (esim) {
                for (var a : Esim.objectives(EsimOptions.none().withMode(esimMode), bank, d, DataType.FLOAT, 1)) t.addAuxiliary(a);
            }
            for (int i = 0; i < warmup; i++) t.trainStep();
            double[] ms = new double[steps];
            long c0 = cpuNanos();
            long m0 = THREAD_CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                t.trainStep();
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            double cpuMs = (cpuNanos() - c0) / 1e6 / steps;
            double mainMs = (THREAD_CPU.getCurrentThreadCpuTime() - m0) / 1e6 / steps;
            Arrays.sort(ms);
            Evaluator ev = new Evaluator();
            ev.evaluate(model, evalCases.subList(0, Math.min(256, evalCases.size())), 50); // warm-up
            long e0 = System.nanoTime();
            ev.evaluate(model, evalCases, 20, 50);
            double evalMs = (System.nanoTime() - e0) / 1e6 / evalCases.size() * 1000;
            ctx.out().printf(Locale.ROOT, "%-18s %10.1f %10.1f %10.1f %12.1f %12.1f %16.1f %12d%n",
                    esim ? name + "+esim-" + esimMode.label() : name, ms[steps / 2],
                    ms[steps / 10], ms[Math.min(steps - 1, steps * 9 / 10)], cpuMs, mainMs, evalMs, peakRssMb());
            t.close();
        }
        return 0;
    }

    /**
     * CPU time of the whole process (all threads, native BLAS included), so a loaded shared machine can be told
     * apart from a slow step: wall time rises with the load, CPU time per step does not.
     */
    private static final java.lang.management.ThreadMXBean THREAD_CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    static long cpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean s ? s.getProcessCpuTime() : -1;
    }

    /** Resets VmHWM to the current resident set (Linux 4.0+: "5" into clear_refs); false where that is not possible. */
    static boolean resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** VmHWM (peak resident set since start or the last {@link #resetPeakRss()}) from /proc, or -1 where unavailable. */
    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        } catch (Exception e) {
            // not Linux
        }
        return -1;
    }
}
