package io.eimf.core.semantic;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code manifest.json} of a clusters directory written by {@code eimf cluster}: how users were profiled and
 * clustered, and how the typical samples (the LLM budget) were chosen.
 *
 * @param formatVersion on-disk layout version ({@link ClusterSet#FORMAT_VERSION})
 * @param dataset the prepared dataset the profiles came from: its path, content hash and split protocol
 * @param promptCutoff which part of a sequence profiles and prompts may see, in words
 * @param features {@code categories} (normalised category histogram) or {@code text} (mean item text embedding)
 * @param dimension length of a profile vector
 * @param embeddingModel the text embedding model for {@code text} features, null for {@code categories}
 * @param seed seed of k-means++ initialisation and of the initialisation sample
 * @param k number of clusters
 * @param initSample profiles k-means++ chose its centres from (a seeded sample of at most this many users)
 * @param maxIterations Lloyd iteration cap
 * @param tolerance convergence threshold on the relative inertia change between two iterations
 * @param iterations Lloyd iterations run
 * @param converged whether the tolerance was met before the cap
 * @param inertiaHistory sum of squared distances to the assigned centroid, after each iteration's assignment step
 * @param inertia final inertia (assignment to the final centroids)
 * @param clusterSizes users per cluster, index = cluster id
 * @param users users profiled (those with at least one prompt-visible item)
 * @param samplesPerCluster M: typical samples wanted per cluster
 * @param minInteractions L: a typical sample has at least this many prompt-visible interactions
 * @param eligibleUsers users with at least L prompt-visible interactions
 * @param budget typical samples selected, i.e. LLM requests an extraction will make (at most k x M)
 * @param parallelism Flink parallelism the jobs ran with
 * @param contentHash SHA-256 over assignments.tsv, samples.tsv and centroids.tsv
 * @param toolVersion EIMF version that wrote it
 * @param createdAt ISO-8601 creation time
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClustersManifest(
        int formatVersion,
        DatasetRef dataset,
        String promptCutoff,
        String features,
        int dimension,
        String embeddingModel,
        long seed,
        int k,
        int initSample,
        int maxIterations,
        double tolerance,
        int iterations,
        boolean converged,
        List<Double> inertiaHistory,
        double inertia,
        List<Long> clusterSizes,
        long users,
        int samplesPerCluster,
        int minInteractions,
        long eligibleUsers,
        int budget,
        int parallelism,
        String contentHash,
        String toolVersion,
        String createdAt) {

    /**
     * @param path where the dataset was read from (informational)
     * @param contentHash the dataset manifest's content hash: extraction refuses a different dataset
     * @param splitProtocol {@code comirec} or {@code loo}
     */
    public record DatasetRef(String path, String contentHash, String splitProtocol) {}

    /** A copy with the content hash, tool version and creation time filled in. */
    public ClustersManifest sealed(String hash, String tool, String created) {
        return new ClustersManifest(formatVersion, dataset, promptCutoff, features, dimension, embeddingModel, seed,
                k, initSample, maxIterations, tolerance, iterations, converged, inertiaHistory, inertia,
                clusterSizes, users, samplesPerCluster, minInteractions, eligibleUsers, budget, parallelism, hash,
                tool, created);
    }
}
