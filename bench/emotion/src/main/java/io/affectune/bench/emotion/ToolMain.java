package io.affectune.bench.emotion;

/**
 * Ends a tool's JVM with the outcome of its run: status 0, or the failure printed and status 1 (a limit not
 * kept, the service refusing). Without it, the client threads a failed run leaves behind keep the JVM alive.
 */
final class ToolMain {

    /** A tool's whole run. */
    interface Run {
        void run() throws Exception;
    }

    private ToolMain() {}

    static void run(Run run) {
        int status = 0;
        try {
            run.run();
        } catch (Throwable e) {
            e.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }
}
