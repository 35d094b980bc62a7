package io.eimf.pipeline.testing;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.core.io.AtomicOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code eimf test-step}: an instrumented pipeline task for tests (registered only on the test class path). It
 * records every start and finish as marker files, can sleep, fail, or fail a set number of times, tracks how many
 * units of CPU are in use by concurrent steps in this JVM, and writes {@code value.txt} = its value plus the values
 * of its inputs, so a pipeline's final result is a checkable number.
 */
public final class StepCommand implements Command {
    /** Sum of --cpu of the steps running now in this JVM, in thousandths. */
    public static final AtomicLong CPU_IN_USE = new AtomicLong();
    /** The most CPU (thousandths) ever in use at once. */
    public static final AtomicLong CPU_PEAK = new AtomicLong();

    @Override
    public String name() {
        return "test-step";
    }

    @Override
    public String summary() {
        return "instrumented task for pipeline tests";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("out").hasArg().get())
                .addOption(Option.builder().longOpt("name").hasArg().required().get())
                .addOption(Option.builder().longOpt("markers").hasArg().required().get())
                .addOption(Option.builder().longOpt("value").hasArg().get())
                .addOption(Option.builder().longOpt("input").hasArgs().get())
                .addOption(Option.builder().longOpt("sleep-ms").hasArg().get())
                .addOption(Option.builder().longOpt("cpu").hasArg().get())
                .addOption(Option.builder().longOpt("fail").desc("write part of the output, then fail").get())
                .addOption(Option.builder().longOpt("fail-times").hasArg().desc("fail the first N runs").get());
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        String name = cl.getOptionValue("name");
        Path markers = Path.of(cl.getOptionValue("markers"));
        Files.createDirectories(markers);
        Files.writeString(markers.resolve(name + ".start." + UUID.randomUUID()), "");
        long cpu = Math.round(Args.doubleValue(cl, "cpu", 0) * 1000);
        long now = CPU_IN_USE.addAndGet(cpu);
        CPU_PEAK.accumulateAndGet(now, Math::max);
        try {
            long value = Args.longValue(cl, "value", 1);
            if (cl.getOptionValues("input") != null) {
                for (String in : cl.getOptionValues("input")) {
                    if (in.isBlank()) continue; // an optional upstream that produced nothing
                    value += Long.parseLong(Files.readString(Path.of(in, "value.txt")).trim());
                }
            }
            ctx.err().println("[" + name + "] working");
            Path out = cl.hasOption("out") ? Path.of(cl.getOptionValue("out")) : null;
            if (out != null) {
                Files.createDirectories(out);
                Files.writeString(out.resolve("partial.txt"), "started");
            }
            Thread.sleep(Args.longValue(cl, "sleep-ms", 0));
            if (cl.hasOption("fail")) throw new EimfException(name + ": failing on purpose");
            int failTimes = Args.intValue(cl, "fail-times", 0);
            if (failTimes > 0) {
                long tries;
                try (var s = Files.list(markers)) {
                    tries = s.filter(p -> p.getFileName().toString().startsWith(name + ".start.")).count();
                }
                if (tries <= failTimes) throw new java.io.IOException(name + ": transient failure " + tries);
            }
            if (out != null) {
                long v = value;
                AtomicOutput.text(out.resolve("value.txt"), v + "\n");
            }
            ctx.out().println("value " + value);
            Files.writeString(markers.resolve(name + ".done." + UUID.randomUUID()), "");
            return 0;
        } finally {
            CPU_IN_USE.addAndGet(-cpu);
        }
    }
}
