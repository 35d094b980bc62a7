package io.eimf.model.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.synth.SyntheticData;
import io.eimf.model.baseline.MostPopular;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/** On users with planted interests every backbone must beat MostPopular by a wide margin. */
class LearnsPlantedInterestsTest {
    @TempDir
    static Path tmp;
    static TrainingData data;

    static synchronized TrainingData data() throws Exception {
        if (data == null) {
            data = TrainingData.of(SynthFixture.write(tmp.resolve("d"), SyntheticData.Config.defaults().withUsers(500)
                    .withCatalogue(10, 20).withLengths(20, 40)));
        }
        return data;
    }

    @ParameterizedTest
    @ValueSource(strings = {"comirec-sa", "comirec-dr", "mind"})
    void beatsMostPopular(String backbone) throws Exception {
        TrainingData d = data();
        // the backbone's shipped alignment (right for SA), so the default configuration is the one shown to learn
        IbimModel model = new IbimModel(IbimConfig.defaults(backbone, 32, 4, 20, d.numItems()), DataType.FLOAT, 1);
        TrainResult r = new Trainer(model, d, TrainOptions.defaults().withBatch(64, 5e-3, 10).withSchedule(150, 2, 600))
                .fit();
        Map<String, Double> pop = new MostPopular(d.counts()).evaluate(d.test(), 20, 50);
        double m = r.test().get("recall@20");
        double p = pop.get("recall@20");
        System.out.printf("%s recall@20 %.4f vs most-popular %.4f (best step %d)%n", backbone, m, p, r.bestStep());
        assertTrue(m > 1.5 * p && m > p + 0.1, backbone + ": recall@20 " + m + " is not well above MostPopular " + p);
    }
}
