package io.eimf.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.eimf.core.synth.SyntheticData;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.Param;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** A run killed between checkpoints and resumed in a new trainer ends exactly as the uninterrupted run. */
class ResumeTest {
    @TempDir
    Path tmp;

    static final class Killed extends RuntimeException {}

    @Test
    void resumedRunEqualsUninterruptedRun() throws Exception {
        var ds = SynthFixture.write(tmp.resolve("d"), SyntheticData.Config.defaults().withUsers(120).withCatalogue(5, 10).withLengths(10, 20));
        TrainingData data = TrainingData.of(ds);
        IbimConfig cfg = new IbimConfig("comirec-dr", 8, 3, 8, ds.numItems(), 0);
        TrainOptions o = TrainOptions.defaults().withBatch(16, 3e-3, 5).withSchedule(5, 2, 30).withSeed(3);

        Trainer full = new Trainer(new IbimModel(cfg, DataType.FLOAT, 3), data, o).checkpointDir(tmp.resolve("c1"));
        TrainResult expected = full.fit();

        Path ck = tmp.resolve("c2");
        Trainer first = new Trainer(new IbimModel(cfg, DataType.FLOAT, 3), data, o).checkpointDir(ck)
                .addListener(new TrainingListener() {
                    @Override
                    public void onStep(Trainer t, long step, double loss, Map<String, Double> aux) {
                        if (step == 13) throw new Killed(); // mid-way between the checkpoints at 10 and 15
                    }
                });
        assertThrows(Killed.class, first::fit);
        IbimModel resumedModel = new IbimModel(cfg, DataType.FLOAT, 99); // different init: everything comes from disk
        TrainResult resumed = new Trainer(resumedModel, data, o).checkpointDir(ck).resume();

        assertEquals(expected.steps(), resumed.steps());
        assertEquals(expected.bestStep(), resumed.bestStep());
        assertEquals(expected.test(), resumed.test());
        assertEquals(expected.validations(), resumed.validations());
        for (Param p : full.model().params().all()) {
            assertArrayEquals(p.value().dup().data().asFloat(),
                    resumedModel.params().get(p.name()).value().dup().data().asFloat(), p.name());
        }
    }
}
