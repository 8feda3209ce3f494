package dev.strata.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Strata restarts while appenders are sending and a live tail is open: the appenders retry
 * through the outage, the stream resumes with Last-Event-ID, and every message the application
 * handed over is stored exactly once and streamed exactly once.
 */
class ServerRestartTest {
    private static final int TASKS = 4;
    private static final int MESSAGES = 1500;

    @TempDir
    static Path directory;

    @Test
    void serverRestartDuringAppendsAndAStream_storesAndStreamsEveryMessageExactlyOnce() throws Exception {
        try (StrataServer server = StrataServer.embedded(directory);
                StrataClient daemon =
                        server.daemon().requestTimeout(Duration.ofSeconds(10)).build();
                StrataClient user = server.user().build()) {
            List<String> tasks =
                    IntStream.range(0, TASKS).mapToObj(i -> server.newTask()).toList();
            MessageStream stream = user.stream(tasks.get(0), MessageQuery.allTypes());
            CompletableFuture<List<TaskMessage>> streamed = CompletableFuture.supplyAsync(() -> {
                List<TaskMessage> messages = new ArrayList<>();
                stream.forEachRemaining(messages::add);
                return messages;
            });

            AppendingWriters writers = new AppendingWriters(daemon, tasks, MESSAGES);
            await().atMost(Duration.ofMinutes(1))
                    .until(() -> !daemon.list(
                                    tasks.get(0),
                                    MessageQuery.allTypes()
                                            .withSince(MESSAGES / 5)
                                            .withLimit(1))
                            .messages()
                            .isEmpty());
            int pendingAtRestart = writers.pending();
            server.restart();
            writers.awaitCompleted(Duration.ofMinutes(3));

            assertThat(pendingAtRestart)
                    .as("messages handed over but not yet stored when the server stopped")
                    .isPositive();
            writers.assertStoredExactlyOnce(user);
            assertThat(streamed.get().stream().map(TaskMessage::seq).toList())
                    .as("seqs the live tail delivered across the restart")
                    .containsExactlyElementsOf(
                            LongStream.rangeClosed(1, MESSAGES).boxed().toList());
            assertThat(stream.endStatus()).contains("completed");
        }
    }
}
