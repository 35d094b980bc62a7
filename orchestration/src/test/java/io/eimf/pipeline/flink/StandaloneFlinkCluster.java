package io.eimf.pipeline.flink;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.json.Json;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real standalone Flink session cluster on loopback for the integration tests: one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}, with the web submission handlers of flink-runtime-web) and
 * TaskManagers ({@code TaskManagerRunner}), each a separate JVM started from the Maven jars on this test class path
 * (EIMF's own classes left out: jobs come from the uploaded job jar, as on any cluster). Ports are ephemeral, the
 * configuration is a per-cluster {@code config.yaml}, and each process logs to its own file under the cluster folder.
 * Every wait has a timeout.
 */
public final class StandaloneFlinkCluster implements AutoCloseable {
    /** TaskManager memory, every size explicit: the standalone scripts would compute these; here we start the JVM. */
    static final Map<String, String> TM_MEMORY = Map.of(
            "taskmanager.memory.framework.heap.size", "64m",
            "taskmanager.memory.task.heap.size", "320m",
            // Flink's default 128m: batch shuffles read through a 64m pool taken from it.
            "taskmanager.memory.framework.off-heap.size", "128m",
            "taskmanager.memory.task.off-heap.size", "0m",
            // Sort-merge shuffles take 512 buffers (32k) per result partition; two slots run several at once.
            "taskmanager.memory.network.min", "192m",
            "taskmanager.memory.network.max", "192m",
            "taskmanager.memory.managed.size", "128m",
            "taskmanager.memory.jvm-metaspace.size", "192m",
            "taskmanager.memory.jvm-overhead.min", "96m",
            "taskmanager.memory.jvm-overhead.max", "96m");
    /** What Flink's own config.yaml passes to every JVM on Java 17. */
    static final List<String> JAVA_OPTS = List.of("--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.management/sun.management=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private final Path dir;
    private final Path conf;
    private final int slots;
    private final String classPath;
    private final int restPort;
    private Process jobManager;
    private final List<Process> taskManagers = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private StandaloneFlinkCluster(Path dir, int slots) throws IOException {
        this.dir = dir;
        this.conf = dir.resolve("conf");
        this.slots = slots;
        this.classPath = clusterClassPath();
        this.restPort = freePort();
        Files.createDirectories(conf);
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", Integer.toString(freePort()));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("jobmanager.memory.heap.size", "256m");
        c.put("jobmanager.memory.off-heap.size", "64m");
        c.put("jobmanager.memory.jvm-metaspace.size", "192m");
        c.put("jobmanager.memory.jvm-overhead.min", "96m");
        c.put("jobmanager.memory.jvm-overhead.max", "96m");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", Integer.toString(restPort));
        // The REST handlers cache a job's details for web.refresh-interval (3 s by default): a test that waits for a
        // task to be deployed would see it CREATED until a short job is already over.
        c.put("web.refresh-interval", "100");
        c.put("blob.server.port", "0");
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.rpc.port", "0");
        c.put("taskmanager.data.port", "0");
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(slots));
        c.put("taskmanager.cpu.cores", Integer.toString(slots));
        c.putAll(TM_MEMORY);
        c.put("parallelism.default", Integer.toString(slots));
        c.put("restart-strategy.type", "none");
        // A killed TaskManager is noticed in seconds, not the default 50 s; a job that cannot get slots fails soon.
        c.put("heartbeat.interval", "1000");
        c.put("heartbeat.timeout", "6000");
        c.put("slot.request.timeout", "30000");
        c.put("web.submit.enable", "true");
        c.put("web.upload.dir", dir.resolve("uploads").toString());
        c.put("io.tmp.dirs", dir.resolve("tmp").toString());
        c.put("env.java.opts.all", String.join(" ", JAVA_OPTS));
        StringBuilder y = new StringBuilder();
        c.forEach((k, v) -> y.append(k).append(": ").append(v.matches("[A-Za-z0-9./_:-]+") ? v : "\"" + v + "\"")
                .append('\n'));
        Files.writeString(conf.resolve("config.yaml"), y.toString());
        Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO", "rootLogger.appenderRef.file.ref = file",
                "appender.file.type = File", "appender.file.name = file", "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-40c{1.} - %m%n", ""));
        Files.createDirectories(dir.resolve("uploads"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.createDirectories(dir.resolve("log"));
    }

    /** Starts a JobManager and {@code taskManagers} TaskManagers with {@code slots} slots each; waits until ready. */
    public static StandaloneFlinkCluster start(Path dir, int taskManagers, int slots) throws Exception {
        StandaloneFlinkCluster c = new StandaloneFlinkCluster(dir, slots);
        try {
            c.jobManager = c.spawn("jobmanager", "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                    List.of("-Xmx256m", "-Xms256m", "-XX:MaxMetaspaceSize=192m", "-XX:MaxDirectMemorySize=64m"),
                    List.of("--executionMode", "cluster"));
            for (int i = 0; i < taskManagers; i++) c.startTaskManager();
            c.awaitTaskManagers(taskManagers, Duration.ofSeconds(90));
            return c;
        } catch (Exception e) {
            c.close();
            throw new IOException(e.getMessage() + "\n" + c.logs(), e);
        }
    }

    /**
     * Starts a cluster outside the tests (docs/DEPLOY.md): {@code DIR [TASKMANAGERS [SLOTS]]}; prints the REST URL
     * and runs until killed (the processes stop with it).
     */
    public static void main(String[] args) throws Exception {
        Path d = Path.of(args.length > 0 ? args[0] : "target/flink-standalone").toAbsolutePath();
        StandaloneFlinkCluster c = start(d, args.length > 1 ? Integer.parseInt(args[1]) : 1,
                args.length > 2 ? Integer.parseInt(args[2]) : 2);
        Runtime.getRuntime().addShutdownHook(new Thread(c::close));
        System.out.println("Flink standalone session cluster at " + c.url() + " (conf and logs in " + d + ")");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** The REST endpoint, e.g. http://127.0.0.1:40123. */
    public String url() {
        return "http://127.0.0.1:" + restPort;
    }

    /** The folder with config.yaml (FLINK_CONF_DIR for the Flink CLI). */
    public Path confDir() {
        return conf;
    }

    /** The class path the cluster runs with (also what the Flink CLI needs). */
    public String classPath() {
        return classPath;
    }

    /** Starts one more TaskManager (it registers with the JobManager). */
    public Process startTaskManager() throws IOException {
        long heap = mb("taskmanager.memory.framework.heap.size") + mb("taskmanager.memory.task.heap.size");
        long direct = mb("taskmanager.memory.framework.off-heap.size") + mb("taskmanager.memory.task.off-heap.size")
                + mb("taskmanager.memory.network.max");
        Process p = spawn("taskmanager-" + taskManagers.size(), "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                List.of("-Xmx" + heap + "m", "-Xms" + heap + "m", "-XX:MaxDirectMemorySize=" + direct + "m",
                        "-XX:MaxMetaspaceSize=" + mb("taskmanager.memory.jvm-metaspace.size") + "m"), List.of());
        taskManagers.add(p);
        return p;
    }

    /** The TaskManager processes started so far (dead ones included). */
    public List<Process> taskManagers() {
        return taskManagers;
    }

    /** The number of TaskManagers the JobManager has registered now. */
    public int registeredTaskManagers() throws IOException, InterruptedException {
        return get("overview").path("taskmanagers").asInt(-1);
    }

    /** Waits until {@code n} TaskManagers are registered. */
    public void awaitTaskManagers(int n, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!jobManager.isAlive()) throw new IOException("the JobManager exited with " + jobManager.exitValue());
            try {
                JsonNode o = get("overview");
                last = o.toString();
                if (o.path("taskmanagers").asInt() >= n && o.path("slots-available").asInt() >= 0) return;
            } catch (IOException e) {
                last = e.getMessage();
            }
            Thread.sleep(250);
        }
        throw new IOException("Flink at " + url() + " has not registered " + n + " TaskManagers in "
                + timeout.toSeconds() + "s (last: " + last + ")");
    }

    /** GET on the REST API, as JSON. */
    public JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/" + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
        return Json.mapper().readTree(r.body());
    }

    /** The last lines of every process's log (for failure messages). */
    public String logs() {
        StringBuilder b = new StringBuilder();
        try (var s = Files.list(dir.resolve("log"))) {
            for (Path f : s.sorted().toList()) {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                b.append("== ").append(f.getFileName()).append('\n');
                for (String l : lines.subList(Math.max(0, lines.size() - 30), lines.size())) b.append(l).append('\n');
            }
        } catch (IOException e) {
            b.append("(logs unreadable: ").append(e.getMessage()).append(")");
        }
        return b.toString();
    }

    /** A log file's content ("" when absent). */
    public String log(String process) throws IOException {
        Path f = dir.resolve("log").resolve(process + ".log");
        return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
    }

    @Override
    public void close() {
        List<Process> all = new ArrayList<>(taskManagers);
        if (jobManager != null) all.add(jobManager);
        for (Process p : all) p.destroy();
        for (Process p : all) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    private Process spawn(String name, String mainClass, List<String> jvm, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.addAll(JAVA_OPTS);
        cmd.add("-Dlog.file=" + dir.resolve("log").resolve(name + ".log"));
        cmd.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.add("--configDir");
        cmd.add(conf.toString());
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("log").resolve(name + ".out").toFile()).start();
    }

    private long mb(String key) {
        String v = TM_MEMORY.get(key);
        return Long.parseLong(v.substring(0, v.length() - 1));
    }

    /**
     * This JVM's class path without EIMF's own modules: what a cluster built from Flink's Maven jars has (Flink,
     * its dependencies, log4j with slf4j-api 2 beside log4j-slf4j2-impl so that a dying TaskManager still logs).
     */
    static String clusterClassPath() {
        List<String> keep = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String n = e.replace('\\', '/');
            if (n.endsWith("/target/classes") || n.endsWith("/target/test-classes") || n.contains("/io/eimf/")
                    || n.matches(".*/eimf-[a-z-]+-[0-9].*\\.jar")) {
                continue;
            }
            keep.add(e);
        }
        return String.join(File.pathSeparator, keep);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
