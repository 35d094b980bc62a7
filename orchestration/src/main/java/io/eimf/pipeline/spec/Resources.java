package io.eimf.pipeline.spec;

import io.eimf.core.cli.UsageException;
import java.util.Locale;

/**
 * A bundle of machine resources: CPU cores (fractional allowed), GPUs and memory in bytes. A task declares what it
 * needs; a pool declares what the machine has; the scheduler never lets the running tasks' sum exceed the pool.
 *
 * @param cpu CPU cores
 * @param gpu GPUs
 * @param memory bytes of memory
 */
public record Resources(double cpu, int gpu, long memory) {
    /** What a task needs when it declares nothing: one core, no GPU, 512 MiB. */
    public static final Resources DEFAULT_TASK = new Resources(1, 0, 512L << 20);
    public static final Resources NONE = new Resources(0, 0, 0);

    public Resources {
        if (cpu < 0 || gpu < 0 || memory < 0) throw new IllegalArgumentException("resources cannot be negative");
    }

    /**
     * This machine: its available processors, no GPU (GPUs are declared with --resources gpu=N), and its physical
     * memory (tasks in child JVMs are not bounded by this JVM's heap).
     */
    public static Resources ofThisMachine() {
        long mem = Runtime.getRuntime().maxMemory();
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            mem = Math.max(mem, os.getTotalMemorySize());
        }
        return new Resources(Runtime.getRuntime().availableProcessors(), 0, mem);
    }

    /**
     * Parses {@code cpu=2,gpu=1,memory=8g}; keys left out keep {@code base}'s value. Memory takes k/m/g/t suffixes
     * (binary units) or plain bytes.
     */
    public static Resources parse(String text, Resources base) {
        double cpu = base.cpu;
        int gpu = base.gpu;
        long mem = base.memory;
        if (text == null || text.isBlank()) return base;
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            if (eq < 0) throw new UsageException("resources: expected key=value, got '" + p + "'");
            String k = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String v = p.substring(eq + 1).trim();
            switch (k) {
                case "cpu", "cpus" -> cpu = parseNumber(k, v);
                case "gpu", "gpus" -> gpu = (int) parseNumber(k, v);
                case "memory", "mem" -> mem = parseMemory(v);
                default -> throw new UsageException("resources: unknown key '" + k + "' (cpu, gpu, memory)");
            }
        }
        return new Resources(cpu, gpu, mem);
    }

    private static double parseNumber(String k, String v) {
        try {
            double d = Double.parseDouble(v);
            if (d < 0) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException("resources: " + k + " must be a non-negative number, got '" + v + "'");
        }
    }

    /** Parses 512m, 8g, 1.5g, 1048576 into bytes. */
    public static long parseMemory(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("b") || s.endsWith("i")) s = s.substring(0, s.length() - 1);
        if (s.endsWith("i")) s = s.substring(0, s.length() - 1);
        long mult = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> mult = 1L << 10;
                case 'm' -> mult = 1L << 20;
                case 'g' -> mult = 1L << 30;
                case 't' -> mult = 1L << 40;
                default -> mult = 1;
            }
            if (mult > 1) s = s.substring(0, s.length() - 1);
        }
        try {
            double d = Double.parseDouble(s);
            if (d < 0) throw new NumberFormatException();
            return (long) (d * mult);
        } catch (NumberFormatException e) {
            throw new UsageException("resources: memory must look like 512m or 8g, got '" + v + "'");
        }
    }

    /** Whether {@code other} fits inside this bundle. */
    public boolean fits(Resources other) {
        return other.cpu <= cpu + 1e-9 && other.gpu <= gpu && other.memory <= memory;
    }

    public Resources plus(Resources o) {
        return new Resources(cpu + o.cpu, gpu + o.gpu, memory + o.memory);
    }

    public Resources minus(Resources o) {
        return new Resources(Math.max(0, cpu - o.cpu), gpu - o.gpu, memory - o.memory);
    }

    @Override
    public String toString() {
        String c = cpu == Math.rint(cpu) ? String.valueOf((long) cpu) : String.valueOf(cpu);
        return "cpu=" + c + ",gpu=" + gpu + ",memory=" + formatMemory(memory);
    }

    /** 536870912 → 512m. */
    public static String formatMemory(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) return (bytes >> 30) + "g";
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) return (bytes >> 20) + "m";
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1fg", bytes / (double) (1L << 30));
        if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.0fm", bytes / (double) (1L << 20));
        return String.valueOf(bytes);
    }
}
