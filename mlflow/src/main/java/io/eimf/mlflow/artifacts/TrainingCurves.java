package io.eimf.mlflow.artifacts;

import io.eimf.core.io.AtomicOutput;
import io.eimf.mlflow.local.MetricPoint;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Training curves as PNG line plots (value against step), one per metric with at least two points, drawn with
 * java.awt on a headless image so no plotting library or display is needed.
 */
public final class TrainingCurves {
    private static final int W = 800;
    private static final int H = 500;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    private TrainingCurves() {}

    /** Writes {@code <key>.png} (slashes become underscores) into {@code outDir}; returns the files written. */
    public static List<Path> write(Map<String, List<MetricPoint>> metrics, Path outDir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Path> out = new ArrayList<>();
        for (Map.Entry<String, List<MetricPoint>> e : metrics.entrySet()) {
            List<MetricPoint> pts = e.getValue().stream().filter(p -> Double.isFinite(p.value()))
                    .sorted(Comparator.comparingLong(MetricPoint::step).thenComparingLong(MetricPoint::timestamp))
                    .toList();
            if (pts.size() < 2) continue;
            BufferedImage img = plot(e.getKey(), pts);
            Path f = outDir.resolve(e.getKey().replace('/', '_') + ".png");
            AtomicOutput.file(f, tmp -> {
                if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer available");
            });
            out.add(f);
        }
        return out;
    }

    /** Draws one curve. */
    static BufferedImage plot(String title, List<MetricPoint> pts) {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            double minX = pts.get(0).step();
            double maxX = pts.get(pts.size() - 1).step();
            double minY = pts.stream().mapToDouble(MetricPoint::value).min().orElse(0);
            double maxY = pts.stream().mapToDouble(MetricPoint::value).max().orElse(1);
            if (maxX == minX) maxX = minX + 1;
            if (maxY == minY) {
                maxY += Math.max(1e-9, Math.abs(maxY) * 0.05);
                minY -= Math.max(1e-9, Math.abs(minY) * 0.05);
            }
            double padY = (maxY - minY) * 0.05;
            minY -= padY;
            maxY += padY;
            int pw = W - LEFT - RIGHT;
            int ph = H - TOP - BOTTOM;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i <= 5; i++) {
                int y = TOP + ph - (int) Math.round(ph * i / 5.0);
                int x = LEFT + (int) Math.round(pw * i / 5.0);
                g.setColor(new Color(230, 230, 230));
                g.drawLine(LEFT, y, LEFT + pw, y);
                g.drawLine(x, TOP, x, TOP + ph);
                g.setColor(Color.DARK_GRAY);
                String yl = fmt(minY + (maxY - minY) * i / 5.0);
                g.drawString(yl, LEFT - 8 - fm.stringWidth(yl), y + fm.getAscent() / 2);
                String xl = fmt(minX + (maxX - minX) * i / 5.0);
                g.drawString(xl, x - fm.stringWidth(xl) / 2, TOP + ph + 18);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, pw, ph);
            g.drawString("step", LEFT + pw / 2 - fm.stringWidth("step") / 2, H - 18);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, LEFT, TOP - 18);
            g.setColor(new Color(31, 119, 180));
            g.setStroke(new BasicStroke(2f));
            int px = -1;
            int py = -1;
            for (MetricPoint p : pts) {
                int x = LEFT + (int) Math.round((p.step() - minX) / (maxX - minX) * pw);
                int y = TOP + ph - (int) Math.round((p.value() - minY) / (maxY - minY) * ph);
                if (px >= 0) g.drawLine(px, py, x, y);
                g.fillOval(x - 3, y - 3, 6, 6);
                px = x;
                py = y;
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static String fmt(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e5)) return String.format(Locale.ROOT, "%.2e", v);
        if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
        return String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
