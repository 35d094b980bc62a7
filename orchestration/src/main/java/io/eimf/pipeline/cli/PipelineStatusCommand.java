package io.eimf.pipeline.cli;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.core.json.Json;
import io.eimf.pipeline.run.RunRecord;
import io.eimf.pipeline.run.TaskState;
import io.eimf.pipeline.store.WorkDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code eimf pipeline status [PIPELINE]}: the latest run's per-task state, from its run record. */
public final class PipelineStatusCommand implements Command {
    @Override
    public String name() {
        return "pipeline status";
    }

    @Override
    public String summary() {
        return "show each task's state in the latest run of a pipeline (done, cached, running, failed, interrupted)";
    }

    @Override
    public Options options() {
        return new Options().addOption(Args.option("work", "DIR",
                "work folder (default " + PipelineFiles.DEFAULT_WORK + ")"));
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        WorkDir work = new WorkDir(ctx.path(cl.getOptionValue("work", PipelineFiles.DEFAULT_WORK)));
        List<Path> records = new ArrayList<>();
        if (cl.getArgList().isEmpty()) {
            if (Files.isDirectory(work.runs())) {
                try (Stream<Path> s = Files.list(work.runs())) {
                    s.filter(p -> p.toString().endsWith(".json")).sorted().forEach(records::add);
                }
            }
        } else {
            for (String name : cl.getArgList()) records.add(work.runRecord(name));
        }
        if (records.isEmpty()) throw new EimfException("no pipeline runs recorded in " + work.root());
        for (Path p : records) {
            if (!Files.isRegularFile(p)) throw new EimfException(p + ": no run recorded for this pipeline");
            RunRecord r = Json.read(p, RunRecord.class);
            boolean alive = !r.finished() && ProcessHandle.of(r.pid()).map(ProcessHandle::isAlive).orElse(false);
            String runState = r.finished() ? "finished" : alive ? "running (pid " + r.pid() + ")" : "interrupted";
            ctx.out().printf("pipeline %s: %s; started %s, updated %s; pool %s; code %s%n", r.pipeline(), runState,
                    r.startedAt(), r.updatedAt(), r.resources(), r.codeVersion());
            int w = Math.max(4, r.tasks().keySet().stream().mapToInt(String::length).max().orElse(4));
            ctx.out().printf(Locale.ROOT, "  %-" + w + "s  %-8s  %-11s  %8s  %s%n", "task", "kind", "state", "seconds",
                    "output / error");
            for (TaskState t : r.tasks().values()) {
                String state = t.state();
                // A record left by a killed run says "running"; the object store is the truth about completion.
                boolean complete = t.key() != null && Files.isRegularFile(work.objects().resolve(t.key()).resolve("task.json"));
                if (!alive && (state.equals("running") || state.equals("pending"))) state = complete ? "done" : "interrupted";
                String detail = t.output() != null ? t.output() : t.error() != null ? t.error()
                        : state.equals("interrupted") || state.equals("failed") ? "log " + t.log() : "";
                ctx.out().printf(Locale.ROOT, "  %-" + w + "s  %-8s  %-11s  %8.1f  %s%n", t.id(), t.kind(), state,
                        t.seconds(), detail);
            }
        }
        return 0;
    }
}
