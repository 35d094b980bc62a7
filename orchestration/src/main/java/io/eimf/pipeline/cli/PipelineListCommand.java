package io.eimf.pipeline.cli;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.json.Json;
import io.eimf.pipeline.run.RunRecord;
import io.eimf.pipeline.spec.PipelineSpec;
import io.eimf.pipeline.spec.PipelineSpecReader;
import io.eimf.pipeline.store.WorkDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code eimf pipeline list}: bundled pipelines and the pipelines run in a work folder. */
public final class PipelineListCommand implements Command {
    @Override
    public String name() {
        return "pipeline list";
    }

    @Override
    public String summary() {
        return "list bundled pipelines and the runs and task outputs recorded in a work folder";
    }

    @Override
    public Options options() {
        return new Options().addOption(Args.option("work", "DIR",
                "work folder (default " + PipelineFiles.DEFAULT_WORK + ")"));
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        ctx.out().println("bundled pipelines (eimf pipeline run NAME):");
        for (String name : PipelineFiles.BUNDLED) {
            PipelineSpec s = PipelineSpecReader.readResource("pipelines/" + name + ".yaml");
            ctx.out().printf("  %-12s %d tasks  %s%n", name, s.tasks().size(), s.description());
        }
        WorkDir work = new WorkDir(ctx.path(cl.getOptionValue("work", PipelineFiles.DEFAULT_WORK)));
        if (!Files.isDirectory(work.runs())) {
            ctx.out().println("no runs in " + work.root());
            return 0;
        }
        ctx.out().println("runs in " + work.root() + ":");
        List<Path> records;
        try (Stream<Path> s = Files.list(work.runs())) {
            records = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        for (Path p : records) {
            RunRecord r = Json.read(p, RunRecord.class);
            long done = r.tasks().values().stream().filter(t -> Files.isRegularFile(
                    work.objects().resolve(t.key()).resolve("task.json"))).count();
            ctx.out().printf("  %-12s %d/%d tasks complete, last updated %s (%s)%n", r.pipeline(), done,
                    r.tasks().size(), r.updatedAt(), r.source());
        }
        long objects;
        try (Stream<Path> s = Files.list(work.objects())) {
            objects = s.filter(p -> !p.getFileName().toString().startsWith(".")).count();
        }
        ctx.out().printf("task outputs stored: %d (%s)%n", objects, work.objects());
        return 0;
    }
}
