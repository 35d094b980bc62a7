package io.eimf.pipeline.cli;

import io.eimf.core.cli.UsageException;
import io.eimf.pipeline.spec.PipelineSpec;
import io.eimf.pipeline.spec.PipelineSpecReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Resolves the FILE argument of pipeline commands: a YAML path, or the name of a bundled pipeline. */
final class PipelineFiles {
    /** Pipelines shipped in the jar under pipelines/. */
    static final List<String> BUNDLED = List.of("demo");
    static final String DEFAULT_WORK = "eimf-work";

    private PipelineFiles() {}

    static PipelineSpec load(Path cwd, String arg) throws IOException {
        Path p = cwd.resolve(arg).normalize();
        if (Files.isRegularFile(p)) return PipelineSpecReader.read(p);
        if (BUNDLED.contains(arg)) return PipelineSpecReader.readResource("pipelines/" + arg + ".yaml");
        throw new UsageException("no pipeline file " + p + " (and no bundled pipeline named '" + arg + "'; bundled: "
                + String.join(", ", BUNDLED) + ")");
    }
}
