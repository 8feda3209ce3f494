package dev.strata.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.cli.StrataCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code bin/strata ARGS} in a child JVM on this test's class path: its exit value and output. */
public final class StrataCli {
    /** What a command left: its exit value and its standard output and error, stripped. */
    public record Result(int exitCode, String out, String err) {}

    private StrataCli() {}

    /** Runs the command with {@code environment} added to this process's, and nothing on its standard input. */
    public static Result run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        return runWithInput(environment, "", args);
    }

    /** Runs the command with {@code input} on its standard input. */
    public static Result runWithInput(Map<String, String> environment, String input, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED",
                // Logback's own status lines (printed when a reactor build puts two logback-test.xml on the class path)
                // are not output.
                "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                "-cp",
                System.getProperty("java.class.path"),
                StrataCommand.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process = builder.start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), out, err);
    }
}
