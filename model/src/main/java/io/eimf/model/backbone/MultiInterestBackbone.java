package io.eimf.model.backbone;

import io.eimf.model.nn.ParamSet;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The one model contract every IBIM backbone implements: a batch of histories (their item embeddings, gathered by
 * the caller, and the padding mask) becomes K interest vectors per user. Forward keeps what backward needs in the
 * returned {@link Activations}; backward accumulates parameter gradients and returns the gradient of the history
 * embeddings, which the caller scatters into the item table.
 */
public interface MultiInterestBackbone {
    /** The name used on the command line and in model files (comirec-sa, comirec-dr, mind). */
    String name();

    /** K, the number of interests. */
    int interests();

    /** The backbone's parameters (trainable and fixed). */
    ParamSet params();

    /**
     * @param history item embeddings of the batch, [B*L, d] row-major (row b*L+t)
     * @param batch ids and lengths, for the mask
     * @return the interests [B, K, d] and the cache backward needs
     */
    Activations forward(INDArray history, HistoryBatch batch);

    /**
     * @param act what {@link #forward} returned in this step
     * @param dInterests gradient of the loss w.r.t. the interests, [B, K, d]
     * @return gradient w.r.t. the history embeddings, [B*L, d]
     */
    INDArray backward(Activations act, INDArray dInterests);

    /**
     * Lets forward and backward run their independent parts on these step threads (null: the calling thread only).
     * Backbones without such parts ignore it.
     */
    default void useThreads(io.eimf.model.nn.StepThreads threads) {}

    /** Forward results: the interests and an opaque per-backbone cache. */
    interface Activations {
        /** [B, K, d]. */
        INDArray interests();
    }
}
