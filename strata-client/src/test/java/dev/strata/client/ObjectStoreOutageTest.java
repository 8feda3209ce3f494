package dev.strata.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.testing.FaultProxy;
import dev.strata.testing.S3ProxyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The object store fails while appenders are sending: first it resets every connection, then it
 * swallows requests without answering (Strata's S3 calls time out). Strata answers 503 meanwhile,
 * the appenders send the same batches again, and every message the application handed over is
 * stored exactly once.
 */
class ObjectStoreOutageTest {
    private static final int TASKS = 4;
    private static final int MESSAGES = 800;

    @TempDir
    static Path directory;

    @Test
    void objectStoreOutageDuringAppends_storesEveryMessageExactlyOnce() throws Exception {
        try (S3ProxyServer s3 = new S3ProxyServer(directory.resolve("s3"));
                FaultProxy proxy = FaultProxy.to(s3.endpoint())) {
            String bucket = s3.createBucket("client");
            try (StrataServer server = new StrataServer(Map.of(
                            "STRATA_DB_URL",
                            "jdbc:sqlite:" + directory.resolve("strata.db"),
                            "STRATA_CONTENT_URL",
                            "s3://" + bucket + "/strata",
                            "STRATA_S3_ENDPOINT",
                            proxy.through(s3.endpoint()),
                            "STRATA_S3_ACCESS_KEY_ID",
                            S3ProxyServer.ACCESS_KEY,
                            "STRATA_S3_SECRET_ACCESS_KEY",
                            S3ProxyServer.SECRET_KEY,
                            "STRATA_S3_PATH_STYLE",
                            "true",
                            "STRATA_S3_TIMEOUT",
                            "2s",
                            "STRATA_CACHE_URL",
                            "none"));
                    StrataClient daemon = server.daemon().build();
                    StrataClient user = server.user().build()) {
                List<String> tasks = IntStream.range(0, TASKS)
                        .mapToObj(i -> server.newTask())
                        .toList();

                AppendingWriters writers = new AppendingWriters(daemon, tasks, MESSAGES);
                await().atMost(Duration.ofMinutes(1))
                        .until(() -> !daemon.list(
                                        tasks.get(0),
                                        MessageQuery.allTypes()
                                                .withSince(MESSAGES / 10)
                                                .withLimit(1))
                                .messages()
                                .isEmpty());
                int pendingAtOutage = writers.pending();
                long connections = proxy.connectionsAccepted();
                proxy.reset();
                await().atMost(Duration.ofMinutes(1)).until(() -> proxy.connectionsAccepted() >= connections + 10);
                long hung = proxy.connectionsAccepted();
                proxy.blackHole();
                await().atMost(Duration.ofMinutes(1)).until(() -> proxy.connectionsAccepted() >= hung + 4);
                proxy.pass();
                writers.awaitCompleted(Duration.ofMinutes(3));

                assertThat(pendingAtOutage)
                        .as("messages handed over but not yet stored when the outage began")
                        .isPositive();
                writers.assertStoredExactlyOnce(user);
            }
        }
    }
}
