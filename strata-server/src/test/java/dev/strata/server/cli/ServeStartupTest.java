package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code strata serve} in a child JVM with a bad environment: it exits non-zero with one line
 * naming the variable, and no stack trace.
 */
class ServeStartupTest {
    @TempDir
    Path directory;

    private record Outcome(int exitCode, List<String> lines) {}

    private Outcome serve(Map<String, String> env) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(
                List.of(ProcessHandle.current().info().command().orElse("java"), "--enable-native-access=ALL-UNNAMED"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), StrataCommand.class.getName(), "serve"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve("strata.db"));
        builder.environment().put("STRATA_CONTENT_URL", "file:" + directory.resolve("objects"));
        builder.environment().put("STRATA_CACHE_URL", "none");
        builder.environment().put("STRATA_HOST", "127.0.0.1");
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("strata serve did not exit; output:\n" + output);
        }
        return new Outcome(process.exitValue(), output.lines().toList());
    }

    @Test
    void retentionUnderAnHour_stopsServeWithOneLine() throws Exception {
        Outcome outcome = serve(Map.of("STRATA_RETENTION", "10m"));

        assertThat(outcome.exitCode()).isEqualTo(ErrorHandler.USAGE);
        assertThat(outcome.lines())
                .containsExactly(
                        "strata: configuration error: STRATA_RETENTION must be at least 1h (or off), got '10m';"
                                + " set STRATA_RETENTION_ALLOW_SHORT=true to allow it");
    }

    @Test
    void aZeroInterval_stopsServeWithOneLine() throws Exception {
        Outcome outcome = serve(Map.of("STRATA_COMPACTION_INTERVAL", "0s"));

        assertThat(outcome.exitCode()).isEqualTo(ErrorHandler.USAGE);
        assertThat(outcome.lines())
                .containsExactly(
                        "strata: configuration error: STRATA_COMPACTION_INTERVAL must be longer than 0, got '0s'");
    }

    @Test
    void anUnknownVariable_isWarnedAboutAtStart_withTheClosestKnownName() throws Exception {
        Outcome outcome = serve(Map.of("STRATA_RETENTON", "7d", "STRATA_ORPHAN_INTERVAL", "-1m"));

        assertThat(outcome.exitCode()).isEqualTo(ErrorHandler.USAGE);
        assertThat(outcome.lines()).hasSize(2);
        assertThat(outcome.lines().get(0))
                .contains("WARN")
                .endsWith("unknown variable STRATA_RETENTON is ignored; did you mean STRATA_RETENTION?");
        assertThat(outcome.lines().get(1))
                .isEqualTo("strata: configuration error: STRATA_ORPHAN_INTERVAL must not be negative, got '-1m'");
    }

    @Test
    void aPortInUse_stopsServeWithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Outcome outcome = serve(Map.of("STRATA_PORT", Integer.toString(taken.getLocalPort())));

            assertThat(outcome.exitCode()).isEqualTo(ErrorHandler.USAGE);
            assertThat(outcome.lines().stream().filter(line -> line.startsWith("strata: ")))
                    .singleElement()
                    .asString()
                    .startsWith("strata: cannot listen (STRATA_HOST, STRATA_PORT): ")
                    .contains(Integer.toString(taken.getLocalPort()));
            assertThat(outcome.lines()).noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception"));
        }
    }
}
