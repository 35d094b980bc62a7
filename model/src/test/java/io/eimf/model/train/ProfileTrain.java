package io.eimf.model.train;

import io.eimf.core.dataset.PreparedDataset;
import io.eimf.model.backbone.MultiInterestBackbone;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.*;
import java.nio.file.Path;
import java.util.*;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.*;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Scratch profiler (not a test): CPU ms per phase of a training step. */
public class ProfileTrain {
    static long cpu() { return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime(); }
    static Map<String, Long> acc = new LinkedHashMap<>();
    static long last;
    static void mark(String p) { long c = cpu(); acc.merge(p, c - last, Long::sum); last = c; }
    public static void main(String[] a) throws Exception {
        Backend.setThreads(1);
        PreparedDataset ds = PreparedDataset.read(Path.of(a[0]));
        TrainingData data = TrainingData.of(ds);
        IbimModel model = new IbimModel(new IbimConfig(a[1], 64, 4, Integer.parseInt(a[2]), ds.numItems(), 0), DataType.FLOAT, 1);
        Trainer t = new Trainer(model, data, TrainOptions.defaults());
        WorkspaceConfiguration WS = WorkspaceConfiguration.builder().policyAllocation(AllocationPolicy.OVERALLOCATE).overallocationLimit(0.2)
            .policyLearning(LearningPolicy.FIRST_LOOP).policyReset(ResetPolicy.BLOCK_LEFT).policySpill(SpillPolicy.REALLOCATE).build();
        Rng rng = new Rng(1);
        SampledSoftmax loss = new SampledSoftmax(true);
        NegativeSampler ns = NegativeSampler.uniform(ds.numItems());
        Adam adam = new Adam(1e-3);
        int n = 60;
        for (int it = 0; it < n + 10; it++) {
            if (it == 10) acc.clear();
            last = cpu();
            TrainingData.Batch batch = data.sample(rng, 128, model.config().maxLen());
            int[] negatives = ns.sample(rng, 1280);
            mark("sample");
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WS, "P")) {
                MultiInterestBackbone backbone = model.backbone();
                Param items = model.itemEmbeddings();
                INDArray table = items.value();
                int b = 128, k = 4, d = 64;
                int[] histIds = batch.history().ids();
                INDArray x = Ops.gatherRows(table, histIds);
                mark("gather hist");
                var act = backbone.forward(x, batch.history());
                INDArray interests = act.interests();
                mark("backbone fwd");
                INDArray et = Ops.gatherRows(table, batch.targets());
                INDArray en = Ops.gatherRows(table, negatives);
                INDArray scores = Nd4j.matmul(interests, et.reshape(b, d, 1)).reshape(b, k);
                int[] chosen = scores.argMax(1).toIntVector();
                float[] sel = new float[b * b * k];
                for (int i = 0; i < b; i++) sel[i * b * k + i * k + chosen[i]] = 1f;
                INDArray select = Ops.fromFloats(table.dataType(), sel, b, (long) b * k);
                INDArray user = select.mmul(interests.reshape((long) b * k, d));
                mark("readout");
                var r = loss.compute(user, et, en, batch.targets(), negatives, null);
                mark("loss");
                INDArray dInterests = select.transpose().mmul(r.dUser()).reshape(b, k, d);
                INDArray dx = backbone.backward(act, dInterests);
                mark("backbone bwd");
                int[] ids = new int[histIds.length + b + negatives.length];
                System.arraycopy(histIds, 0, ids, 0, histIds.length);
                System.arraycopy(batch.targets(), 0, ids, histIds.length, b);
                System.arraycopy(negatives, 0, ids, histIds.length + b, negatives.length);
                Ops.scatterAddRows(items.grad(), ids, Nd4j.vstack(dx, r.dTarget(), r.dNegative()));
                items.grad().getRow(0).assign(0);
                mark("scatter");
                adam.step(model.params().all());
                mark("adam");
                for (Param p : model.params().all()) if (p.trainable()) p.grad().assign(0);
                mark("zero");
            }
            mark("ws close");
        }
        long tot = 0;
        for (var e : acc.entrySet()) { System.out.printf("%-14s %.2f ms%n", e.getKey(), e.getValue() / 1e6 / n); tot += e.getValue(); }
        System.out.printf("total %.2f ms CPU/step%n", tot / 1e6 / n);
    }
}
