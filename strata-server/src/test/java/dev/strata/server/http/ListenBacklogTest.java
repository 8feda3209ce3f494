package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listening socket queues {@link HttpServer#ACCEPT_QUEUE} connections, not the JDK's default
 * 50, which reset some of 256 clients connecting at once. Read from the kernel ({@code ss} shows a
 * listening socket's backlog as its Send-Q), so a setting applied after the socket was bound fails.
 * Needs {@code ss} (iproute2; {@code .ci/run} installs it when missing), and fails without it.
 */
class ListenBacklogTest {
    @TempDir
    Path directory;

    @Test
    void theListeningSocket_queuesAThousandConnections() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(directory, Map.of())) {
            String listening = ss("-Hltn", "sport = :" + server.strata().port());
            // "LISTEN 0 1024 127.0.0.1:PORT 0.0.0.0:*": state, queued now, backlog (capped by net.core.somaxconn).
            String[] columns = listening.trim().split("\\s+");
            assertThat(columns).as("ss output: %s", listening).hasSizeGreaterThan(3);
            // Read as a stream: Files.readString trusts procfs's reported size and returned "4" of "4096".
            int somaxconn;
            try (var in = Files.newInputStream(Path.of("/proc/sys/net/core/somaxconn"))) {
                somaxconn = Integer.parseInt(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
            }
            assertThat(Integer.parseInt(columns[2]))
                    .as("backlog in %s (somaxconn %d)", listening, somaxconn)
                    .isEqualTo(Math.min(HttpServer.ACCEPT_QUEUE, somaxconn));
        }
    }

    private static String ss(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "ss";
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return output;
    }
}
