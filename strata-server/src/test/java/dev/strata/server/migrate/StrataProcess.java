package dev.strata.server.migrate;

import dev.strata.server.cli.StrataCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code bin/strata ARGS} in a child JVM, so a test can kill it with SIGKILL mid-run. */
final class StrataProcess {
    /** The exit value of a child JVM killed by SIGKILL (128 + 9). */
    static final int KILLED = 137;

    private StrataProcess() {}

    /** Starts the command on a store of its own named {@code name} under {@code directory}, output discarded. */
    static Process start(Path directory, String name, String... arguments) throws IOException {
        return start(directory, name, List.of(), arguments);
    }

    /** As {@link #start(Path, String, String...)}, with extra options for the child JVM. */
    static Process start(Path directory, String name, List<String> jvmOptions, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(
                List.of(ProcessHandle.current().info().command().orElse("java"), "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), StrataCommand.class.getName()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment()
                .putAll(Map.of(
                        "STRATA_DB_URL",
                        "jdbc:sqlite:" + directory.resolve(name + ".db"),
                        "STRATA_CONTENT_URL",
                        "file:" + directory.resolve(name + "-objects"),
                        "STRATA_CACHE_URL",
                        "none",
                        "STRATA_LOG_LEVEL",
                        "WARN"));
        return builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }
}
