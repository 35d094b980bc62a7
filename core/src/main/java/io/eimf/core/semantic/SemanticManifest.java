package io.eimf.core.semantic;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code manifest.json} of a semantic-interest dataset written by {@code eimf extract}.
 *
 * @param formatVersion on-disk layout version ({@link SemanticInterestDataset#FORMAT_VERSION})
 * @param clusters the clusters directory whose typical samples were asked about
 * @param datasetContentHash content hash of the prepared dataset the prompts' items came from
 * @param promptCutoff which part of a sequence the prompts saw (copied from the clusters manifest)
 * @param provider llm-service provider
 * @param model model name reported by the provider
 * @param templateVersion prompt template version
 * @param embeddingModel the model that embedded the interests
 * @param embeddingDimension length of each interest embedding
 * @param maxPromptItems most items one prompt showed (the most recent ones, in time order)
 * @param budget typical samples in the clusters directory
 * @param succeeded samples with interests in {@code interests.jsonl}
 * @param failed samples in {@code failures.jsonl}
 * @param totals run totals, summed over every (resumed) run
 * @param contentHash SHA-256 over interests.jsonl and failures.jsonl
 * @param toolVersion EIMF version that wrote it
 * @param createdAt ISO-8601 creation time
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SemanticManifest(
        int formatVersion,
        ClustersRef clusters,
        String datasetContentHash,
        String promptCutoff,
        String provider,
        String model,
        String templateVersion,
        String embeddingModel,
        int embeddingDimension,
        int maxPromptItems,
        int budget,
        int succeeded,
        int failed,
        RunTotals totals,
        String contentHash,
        String toolVersion,
        String createdAt) {

    /** The clusters directory: where it was and its content hash. */
    public record ClustersRef(String path, String contentHash) {}

    /**
     * Totals of an extraction.
     *
     * @param llmCalls requests sent to llm-service (every attempt, including failed ones and earlier runs)
     * @param cacheHits answers llm-service served from its cache
     * @param promptTokens prompt tokens reported by llm-service
     * @param completionTokens completion tokens reported by llm-service
     * @param retries attempts beyond the first for a sample
     * @param resumed samples taken from the progress journal of an earlier, interrupted run
     * @param wallSeconds wall time of the run(s) that made the requests
     */
    public record RunTotals(long llmCalls, long cacheHits, long promptTokens, long completionTokens, long retries,
                            long resumed, double wallSeconds) {}

    /** A copy with the content hash, tool version and creation time filled in. */
    public SemanticManifest sealed(String hash, String tool, String created) {
        return new SemanticManifest(formatVersion, clusters, datasetContentHash, promptCutoff, provider, model,
                templateVersion, embeddingModel, embeddingDimension, maxPromptItems, budget, succeeded, failed,
                totals, hash, tool, created);
    }
}
