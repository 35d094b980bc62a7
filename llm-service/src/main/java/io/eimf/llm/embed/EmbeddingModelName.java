package io.eimf.llm.embed;

import io.eimf.core.cli.UsageException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The in-process embedding models EIMF ships (quantised ONNX, 384-d, inside the LangChain4j jars). */
public enum EmbeddingModelName {
    /** sentence-transformers/all-MiniLM-L6-v2, int8-quantised: the default. */
    ALL_MINILM_L6_V2_Q("all-minilm-l6-v2-q", ""),
    /** BAAI/bge-small-en-v1.5, int8-quantised. */
    BGE_SMALL_EN_V15_Q("bge-small-en-v1.5-q", ""),
    /** intfloat/e5-small-v2, int8-quantised; e5 expects a prefix and "query: " is its symmetric-similarity one. */
    E5_SMALL_V2_Q("e5-small-v2-q", "query: ");

    private final String id;
    private final String prefix;

    EmbeddingModelName(String id, String prefix) {
        this.id = id;
        this.prefix = prefix;
    }

    /** The name used in configuration and in every output, e.g. {@code all-minilm-l6-v2-q}. */
    public String id() {
        return id;
    }

    /** Text prepended to every input before embedding (the model's documented convention). */
    public String prefix() {
        return prefix;
    }

    /** Parses a configured name; the error lists the valid ones. */
    public static EmbeddingModelName parse(String name) {
        for (EmbeddingModelName m : values()) {
            if (m.id.equalsIgnoreCase(name) || m.name().equalsIgnoreCase(name)) return m;
        }
        throw new UsageException("unknown embedding model '" + name + "'; expected one of "
                + Arrays.stream(values()).map(EmbeddingModelName::id).collect(Collectors.joining(", ")));
    }
}
