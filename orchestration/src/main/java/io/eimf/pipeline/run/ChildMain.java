package io.eimf.pipeline.run;

import io.eimf.core.cli.Eimf;

/**
 * Entry point of a task run in its own JVM ({@code isolation: process}): exits as soon as the runner that started
 * it is gone, so a runner killed with kill -9 does not leave orphans writing into folders the next run deletes.
 */
public final class ChildMain {
    private ChildMain() {}

    public static void main(String[] args) {
        long parent = Long.getLong("eimf.parent.pid", -1);
        if (parent > 0) {
            Thread watch = new Thread(() -> {
                while (true) {
                    if (ProcessHandle.of(parent).map(ProcessHandle::isAlive).orElse(false)) {
                        try {
                            Thread.sleep(500);
                        } catch (InterruptedException e) {
                            return;
                        }
                    } else {
                        System.err.println("eimf: pipeline runner (pid " + parent + ") is gone; stopping this task");
                        Runtime.getRuntime().halt(137);
                    }
                }
            }, "eimf-parent-watch");
            watch.setDaemon(true);
            watch.start();
        }
        Eimf.main(args);
    }
}
