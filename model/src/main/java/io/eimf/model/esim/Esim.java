package io.eimf.model.esim;

import io.eimf.model.nn.Rng;
import io.eimf.model.train.AuxiliaryObjective;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/** Builds the auxiliary objectives an {@link EsimOptions} asks for; they plug into IBIM's trainer unchanged. */
public final class Esim {
    private Esim() {}

    /**
     * The objectives for {@code options.mode()}: none, alignment, prediction, or both (alignment first). Their
     * parameters are initialised from {@code seed}, independently of the IBIM model's.
     *
     * @param dim the interest size d of the model they train with
     */
    public static List<AuxiliaryObjective> objectives(EsimOptions options, SemanticBank bank, int dim, DataType type,
                                                      long seed) {
        List<AuxiliaryObjective> out = new ArrayList<>();
        if (options.mode() == EsimOptions.Mode.NONE) return out;
        if (bank == null) throw new IllegalArgumentException("ESIM mode " + options.mode().label() + " needs semantic interests");
        Rng rng = new Rng(seed).fork(0xE51);
        if (options.mode().align()) {
            out.add(new ModalityAlignment(bank, dim, options.lambdaAlign(), options.tau(), type, rng.fork(1)));
        }
        if (options.mode().predict()) {
            out.add(new SemanticPrediction(bank, dim, options.lambdaPredict(), type, rng.fork(2)));
        }
        return out;
    }
}
