package io.eimf.model.ibim;

import io.eimf.model.backbone.Backbones;
import io.eimf.model.backbone.HistoryBatch;
import io.eimf.model.backbone.MultiInterestBackbone;
import io.eimf.model.nn.Ops;
import io.eimf.model.nn.Param;
import io.eimf.model.nn.ParamSet;
import io.eimf.model.nn.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An IBIM model: the item embedding table (row 0 is padding; the same table embeds history items and scores
 * candidates, as in ComiRec) and a {@link MultiInterestBackbone}. Holds no training state besides the parameters'
 * gradient and Adam buffers.
 */
public final class IbimModel {
    public static final String ITEM_EMBEDDINGS = "item_embeddings";
    private final IbimConfig config;
    private final DataType dataType;
    private final Param items;
    private final MultiInterestBackbone backbone;
    private final ParamSet params = new ParamSet();

    /** A freshly initialised model; the same config and seed give the same weights. */
    public IbimModel(IbimConfig config, DataType dataType, long seed) {
        this.config = config;
        this.dataType = dataType;
        Rng rng = new Rng(seed).fork(0x1b1b);
        int rows = config.numItems() + 1;
        INDArray table = config.initStd() > 0
                ? Ops.normal(dataType, rng, config.initStd(), rows, config.dim())
                : config.initScheme().table(dataType, rng, rows, config.dim());
        this.items = params.add(new Param(ITEM_EMBEDDINGS, table, true));
        this.backbone = Backbones.create(config.backbone(), config.dim(), config.interests(), config.maxLen(),
                config.initScheme(), dataType, rng);
        params.addAll(backbone.params());
    }

    public IbimConfig config() {
        return config;
    }

    public DataType dataType() {
        return dataType;
    }

    /** The item table [numItems+1, d]. */
    public Param itemEmbeddings() {
        return items;
    }

    public MultiInterestBackbone backbone() {
        return backbone;
    }

    /** Every parameter: item table first, then the backbone's. */
    public ParamSet params() {
        return params;
    }

    /** Histories as this model reads them: its max length and alignment. */
    public HistoryBatch batch(int[][] histories) {
        return HistoryBatch.of(histories, config.maxLen(), config.alignment());
    }

    /** Interests [B, K, d] for a batch of histories (inference: no gradient state is touched). */
    public INDArray interests(HistoryBatch batch) {
        INDArray x = Ops.gatherRows(items.value(), batch.ids());
        return backbone.forward(x, batch).interests();
    }
}
