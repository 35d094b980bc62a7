package io.eimf.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A model exported to a folder. Its version token is model.json's and weights.bin's size and modification time, so
 * replacing the folder atomically (a new export renamed into place) is picked up by the poller, and so is an index
 * added by {@code eimf index build} (which rewrites model.json last): the server answers exactly until then.
 */
public final class FolderSource implements ModelSource {
    private final Path dir;
    private final RecommenderModel.Retrieval retrieval;

    public FolderSource(Path dir) {
        this(dir, RecommenderModel.Retrieval.ANN);
    }

    public FolderSource(Path dir, RecommenderModel.Retrieval retrieval) {
        this.dir = dir.toAbsolutePath().normalize();
        this.retrieval = retrieval;
    }

    @Override
    public String describe() {
        return dir.toString();
    }

    @Override
    public String currentVersion() throws IOException {
        Path m = RecommenderModel.modelFolder(dir);
        StringBuilder b = new StringBuilder(m.toString());
        for (String f : new String[] {"model.json", "weights.bin"}) {
            BasicFileAttributes a = Files.readAttributes(m.resolve(f), BasicFileAttributes.class);
            b.append(';').append(a.size()).append('@').append(a.lastModifiedTime().toMillis()).append('#')
                    .append(a.fileKey());
        }
        return b.toString();
    }

    @Override
    public ServingModel load() throws IOException {
        return RecommenderModel.load(dir, dir.toString(), null, retrieval);
    }
}
