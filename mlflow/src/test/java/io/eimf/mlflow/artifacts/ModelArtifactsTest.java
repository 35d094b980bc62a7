package io.eimf.mlflow.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.EimfException;
import io.eimf.mlflow.local.MetricPoint;
import io.eimf.mlflow.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArtifactsTest {
    @TempDir
    Path dir;

    @Test
    void mlmodelHasTheEimfFlavorAndNoPyfunc() throws Exception {
        Map<String, Object> c = MlflowModelFile.content("model", "abc", Fixtures.DESCRIPTOR);
        MlflowModelFile.write(dir, c);
        String text = Files.readString(dir.resolve("MLmodel"));
        assertFalse(text.contains("python_function"), text);
        assertTrue(text.contains("artifact_path: model") && text.contains("run_id: abc")
                && text.contains("utc_time_created:") && text.contains("model_uuid:"), text);
        Map<String, Object> flavor = MlflowModelFile.requireEimfFlavor(dir);
        assertEquals("io.eimf.model.IbimModel", flavor.get("loader_class"));
        assertEquals(4, ((Number) flavor.get("num_interests")).intValue());
        assertEquals(32, ((Number) flavor.get("embedding_dim")).intValue());
        assertEquals("1.0.0-M2.1", flavor.get("nd4j_version"));
        assertEquals("ComiRec-SA", flavor.get("backbone"));
        assertEquals("eimf-ibim/1", flavor.get("format"));
        assertTrue(MlflowModelFile.toJson(c, "remote1").contains("\"run_id\":\"remote1\""));
    }

    @Test
    void theFlavorListsEveryFileAndALoggedCopyMustMatchTheModelsOwnMap() throws Exception {
        Path model = Fixtures.modelFolder(dir.resolve("files"), 5);
        Map<String, io.eimf.core.io.FileManifest.Entry> all = MlflowModelFile.filesOf(model, Fixtures.DESCRIPTOR);
        assertEquals(List.of("model.json", "weights/item_embeddings.bin"), new ArrayList<>(all.keySet()));
        assertEquals(io.eimf.core.io.ContentHash.ofFile(model.resolve("model.json")), all.get("model.json").sha256());
        Map<String, Object> content = MlflowModelFile.content("model", "r", Fixtures.DESCRIPTOR, all);
        MlflowModelFile.write(model, content);
        Map<String, Object> flavor = MlflowModelFile.requireEimfFlavor(model);
        assertEquals(all, io.eimf.core.io.FileManifest.parse(flavor.get("files")).orElseThrow());
        // The descriptor says what the model's own model.json recorded; a copy that differs is not logged.
        ModelDescriptor expecting = new ModelDescriptor("eimf-ibim/2", "x", "y", 4, 32, "ComiRec-SA", Map.of(),
                Map.of("weights/item_embeddings.bin", new io.eimf.core.io.FileManifest.Entry("0".repeat(64), 70_000)));
        EimfException e = assertThrows(EimfException.class, () -> MlflowModelFile.filesOf(model, expecting));
        assertTrue(e.getMessage().contains("item_embeddings.bin: differs"), e.getMessage());
    }

    @Test
    void aFolderWithoutTheFlavorIsRejected() throws Exception {
        Files.writeString(dir.resolve("MLmodel"), "flavors:\n  python_function:\n    loader_module: x\n");
        EimfException e = assertThrows(EimfException.class, () -> MlflowModelFile.requireEimfFlavor(dir));
        assertTrue(e.getMessage().contains("eimf_ibim"), e.getMessage());
    }

    @Test
    void curvesArePngsPerMetricWithTwoOrMorePoints() throws Exception {
        List<MetricPoint> loss = new ArrayList<>();
        for (int s = 0; s < 10; s++) loss.add(new MetricPoint("train.loss", 1.0 / (s + 1), 1000 + s, s));
        List<Path> files = TrainingCurves.write(Map.of("train.loss", loss,
                "single", List.of(new MetricPoint("single", 1, 1, 0))), dir);
        assertEquals(List.of(dir.resolve("train.loss.png")), files);
        BufferedImage img = ImageIO.read(files.get(0).toFile());
        assertEquals(800, img.getWidth());
        assertEquals(500, img.getHeight());
        // The curve is drawn in blue somewhere inside the plot area.
        boolean blue = false;
        for (int x = 80; x < 770 && !blue; x++) {
            for (int y = 50; y < 440 && !blue; y++) blue = img.getRGB(x, y) == 0xFF1F77B4;
        }
        assertTrue(blue, "the line is drawn");
    }
}
