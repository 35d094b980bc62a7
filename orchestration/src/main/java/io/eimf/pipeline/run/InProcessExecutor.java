package io.eimf.pipeline.run;

import io.eimf.core.cli.Command;
import io.eimf.core.cli.Eimf;
import io.eimf.pipeline.spec.TaskSpec;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Runs a task's command in this JVM through the same dispatcher as the command line. */
public final class InProcessExecutor implements TaskExecutor {
    private final List<Command> commands;

    public InProcessExecutor(List<Command> commands) {
        this.commands = commands;
    }

    @Override
    public int run(TaskSpec task, List<String> argv, Path stdoutFile, TaskLog log) throws Exception {
        try (OutputStream file = Files.newOutputStream(stdoutFile);
             PrintStream out = new PrintStream(new Tee(file, log), true, StandardCharsets.UTF_8);
             PrintStream err = new PrintStream(new NonClosing(log), true, StandardCharsets.UTF_8)) {
            return new Eimf(commands, out, err).run(argv.toArray(new String[0]));
        }
    }

    @Override
    public String describe() {
        return "in-process";
    }

    /** Writes to two streams; closing closes only the first. */
    static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }

        @Override
        public void close() throws java.io.IOException {
            a.close();
        }
    }

    /** Leaves the log open when a command's PrintStream is closed. */
    static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws java.io.IOException {
            flush();
        }
    }
}
