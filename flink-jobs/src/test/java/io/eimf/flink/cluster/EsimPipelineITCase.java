package io.eimf.flink.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.Eimf;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.semantic.ClusterSet;
import io.eimf.core.semantic.SemanticInterest;
import io.eimf.core.semantic.SemanticInterestDataset;
import io.eimf.core.semantic.UserInterests;
import io.eimf.llm.batch.ExtractCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eimf cluster} then {@code eimf extract} with the in-process llm-service (metadata provider). */
class EsimPipelineITCase {
    @TempDir Path tmp;

    @Test
    void clusterThenExtractGivesLeakFreeInterestsForEverySample() throws Exception {
        PreparedDataset ds = TestDatasets.comirec(tmp.resolve("ds"), 200, 8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Eimf eimf = new Eimf(List.of(new ClusterCommand(), new ExtractCommand()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, eimf.run(new String[] {"cluster", "--data", tmp.resolve("ds").toString(), "--out",
                tmp.resolve("clusters").toString(), "--k", "4", "--samples-per-cluster", "3",
                "--min-interactions", "15"}), err.toString());
        ClusterSet cs = ClusterSet.read(tmp.resolve("clusters"));
        assertEquals(0, eimf.run(new String[] {"extract", "--clusters", tmp.resolve("clusters").toString(), "--data",
                tmp.resolve("ds").toString(), "--out", tmp.resolve("interests").toString(), "--max-prompt-items",
                "30"}), err.toString());
        assertTrue(err.toString().contains("started llm-service in-process"), err.toString());

        SemanticInterestDataset sid = SemanticInterestDataset.read(tmp.resolve("interests"));
        assertEquals(cs.samples().size(), sid.manifest().budget());
        assertEquals(cs.samples().size(), sid.users().size());
        assertEquals(0, sid.failures().size());
        assertEquals("metadata", sid.manifest().provider());
        assertEquals(384, sid.manifest().embeddingDimension());
        assertEquals(cs.samples().size(), sid.manifest().totals().llmCalls());
        for (UserInterests u : sid.users()) {
            assertEquals(SplitRole.TRAIN, ds.sequences().get(u.user()).role());
            Set<Integer> visible = new HashSet<>();
            for (int i : ds.sequences().get(u.user()).promptVisibleItems()) visible.add(i);
            assertFalse(u.interests().isEmpty());
            for (SemanticInterest si : u.interests()) {
                for (int e : si.evidence()) assertTrue(visible.contains(e), "evidence item " + e + " not visible");
                double n = 0;
                for (float x : si.embedding()) n += x * x;
                assertEquals(1.0, n, 1e-3);
            }
        }
        assertTrue(out.toString().contains("| " + cs.samples().size() + " | " + cs.samples().size() + " | 0 | "),
                out.toString());
    }
}
