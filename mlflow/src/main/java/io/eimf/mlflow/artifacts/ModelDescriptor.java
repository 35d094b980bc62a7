package io.eimf.mlflow.artifacts;

import io.eimf.core.io.FileManifest;
import java.util.Map;
import java.util.Objects;

/**
 * What the {@code eimf_ibim} MLmodel flavor says about a saved IBIM model folder, filled in by whoever saved it (the
 * model module or the orchestration); this module does not read model files itself.
 *
 * @param format the folder's format name and version, e.g. "eimf-ibim/1"
 * @param loaderClass the Java class that loads it, e.g. "io.eimf.model.IbimModel"
 * @param nd4jVersion the ND4J version the weights were written with
 * @param numInterests K, interests per user
 * @param embeddingDim d, the embedding width
 * @param backbone the multi-interest extractor (ComiRec-SA, ComiRec-DR, MIND)
 * @param extra further flavor fields (strings), may be empty
 * @param files the model folder's own {@code files} map (model.json's), which the copy logged must match; may be
 *     empty
 */
public record ModelDescriptor(String format, String loaderClass, String nd4jVersion, int numInterests,
        int embeddingDim, String backbone, Map<String, String> extra, Map<String, FileManifest.Entry> files) {
    public ModelDescriptor {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(loaderClass, "loaderClass");
        Objects.requireNonNull(nd4jVersion, "nd4jVersion");
        Objects.requireNonNull(backbone, "backbone");
        if (numInterests < 1) throw new IllegalArgumentException("numInterests (K) must be >= 1, got " + numInterests);
        if (embeddingDim < 1) throw new IllegalArgumentException("embeddingDim (d) must be >= 1, got " + embeddingDim);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
        files = files == null ? Map.of() : Map.copyOf(files);
    }

    /** A descriptor without an expected {@code files} map. */
    public ModelDescriptor(String format, String loaderClass, String nd4jVersion, int numInterests, int embeddingDim,
            String backbone, Map<String, String> extra) {
        this(format, loaderClass, nd4jVersion, numInterests, embeddingDim, backbone, extra, Map.of());
    }
}
