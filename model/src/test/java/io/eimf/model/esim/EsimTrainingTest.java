package io.eimf.model.esim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.dataset.UserSequence;
import io.eimf.core.semantic.SemanticInterest;
import io.eimf.core.synth.SyntheticData;
import io.eimf.model.backbone.Backbones;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.Param;
import io.eimf.model.train.AuxiliaryObjective;
import io.eimf.model.train.SynthFixture;
import io.eimf.model.train.TrainOptions;
import io.eimf.model.train.TrainResult;
import io.eimf.model.train.Trainer;
import io.eimf.model.train.TrainingData;
import io.eimf.model.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * ESIM trains with every backbone (both losses are active and finite), and a run with ESIM killed mid-way and
 * resumed from its checkpoint ends exactly as the uninterrupted run: the heads' weights and Adam state are
 * checkpointed with IBIM's.
 */
class EsimTrainingTest {
    @TempDir
    Path tmp;

    static SemanticBank bank(PreparedDataset ds) {
        Map<Integer, List<SemanticInterest>> m = new LinkedHashMap<>();
        int n = 0;
        for (UserSequence u : ds.sequences()) {
            if (u.role() != SplitRole.TRAIN || n++ % 2 != 0) continue;
            List<SemanticInterest> list = new ArrayList<>();
            for (int it : u.promptVisibleItems()) {
                String c = ds.item(it).categories().get(0);
                if (list.stream().noneMatch(s -> s.name().equals(c)) && list.size() < 3) {
                    list.add(new SemanticInterest(c, "", new int[0], EsimExportITCase.vector(c)));
                }
            }
            m.put(u.user(), list);
        }
        return SemanticBank.of(m, 16, DataType.FLOAT);
    }

    @Test
    void trainsWithEveryBackbone() throws Exception {
        PreparedDataset ds = SynthFixture.write(tmp.resolve("d"), SyntheticData.Config.defaults().withUsers(100)
                .withCatalogue(5, 8).withLengths(8, 16));
        SemanticBank bank = bank(ds);
        for (String name : Backbones.NAMES) {
            IbimModel model = new IbimModel(new IbimConfig(name, 8, 3, 8, ds.numItems(), 0), DataType.FLOAT, 1);
            Trainer t = new Trainer(model, TrainingData.of(ds),
                    TrainOptions.defaults().withBatch(16, 3e-3, 5).withSchedule(10, 5, 10).withSeed(1));
            for (AuxiliaryObjective a : Esim.objectives(EsimOptions.both(), bank, 8, DataType.FLOAT, 1)) t.addAuxiliary(a);
            List<Map<String, Double>> aux = new ArrayList<>();
            t.addListener(new TrainingListener() {
                @Override
                public void onStep(Trainer tr, long step, double loss, Map<String, Double> a) {
                    aux.add(Map.copyOf(a));
                }
            });
            t.fit();
            assertEquals(10, aux.size());
            for (Map<String, Double> a : aux) {
                assertEquals(2, a.size(), name);
                a.forEach((k, v) -> assertTrue(Double.isFinite(v) && v > 0, name + " " + k + " = " + v));
            }
        }
    }

    static final class Killed extends RuntimeException {}

    @Test
    void resumeWithEsimEqualsUninterruptedRun() throws Exception {
        PreparedDataset ds = SynthFixture.write(tmp.resolve("d"), SyntheticData.Config.defaults().withUsers(120)
                .withCatalogue(5, 10).withLengths(10, 20));
        SemanticBank bank = bank(ds);
        TrainingData data = TrainingData.of(ds);
        IbimConfig cfg = new IbimConfig("comirec-sa", 8, 3, 8, ds.numItems(), 0);
        TrainOptions o = TrainOptions.defaults().withBatch(16, 3e-3, 5).withSchedule(5, 2, 30).withSeed(3);

        Trainer full = trainer(cfg, data, o, bank, 3).checkpointDir(tmp.resolve("c1"));
        TrainResult expected = full.fit();

        Path ck = tmp.resolve("c2");
        Trainer first = trainer(cfg, data, o, bank, 3).checkpointDir(ck).addListener(new TrainingListener() {
            @Override
            public void onStep(Trainer t, long step, double loss, Map<String, Double> aux) {
                if (step == 13) throw new Killed();
            }
        });
        assertThrows(Killed.class, first::fit);
        Trainer resumed = trainer(cfg, data, o, bank, 99).checkpointDir(ck); // different init: all from disk
        TrainResult r = resumed.resume();
        assertEquals(expected.steps(), r.steps());
        assertEquals(expected.test(), r.test());
        assertEquals(expected.validations(), r.validations());
        for (Param p : full.model().params().all()) {
            assertArrayEquals(p.value().dup().data().asFloat(),
                    resumed.model().params().get(p.name()).value().dup().data().asFloat(), p.name());
        }
    }

    private static Trainer trainer(IbimConfig cfg, TrainingData data, TrainOptions o, SemanticBank bank, long seed) {
        Trainer t = new Trainer(new IbimModel(cfg, DataType.FLOAT, seed), data, o);
        for (AuxiliaryObjective a : Esim.objectives(EsimOptions.both(), bank, cfg.dim(), DataType.FLOAT, seed)) {
            t.addAuxiliary(a);
        }
        return t;
    }
}
