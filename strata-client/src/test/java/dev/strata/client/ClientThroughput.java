package dev.strata.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The client's append throughput: {@code appenders} appenders, one per task and each fed by its
 * own application thread, hand over {@code messages} messages each to a Strata in this JVM on the
 * embedded backends (SQLite, local directory) in a fresh directory; timed from the first append
 * until every appender has closed, that is until every message is durably stored. Run it as the
 * README's "Java client" section shows; {@code ClientThroughputTest} runs it small.
 */
final class ClientThroughput {
    /** The outcome of one run. */
    record Result(int appenders, int messagesPerAppender, Duration elapsed) {
        long messages() {
            return (long) appenders * messagesPerAppender;
        }

        double messagesPerSecond() {
            return messages() / (elapsed.toNanos() / 1e9);
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%d appenders x %d messages = %d messages in %.2f s: %.0f messages/s",
                    appenders,
                    messagesPerAppender,
                    messages(),
                    elapsed.toNanos() / 1e9,
                    messagesPerSecond());
        }
    }

    private ClientThroughput() {}

    /** {@code [APPENDERS [MESSAGES_PER_APPENDER]]}, 100 and 500 by default. */
    public static void main(String[] args) throws Exception {
        int appenders = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        Path directory = Files.createTempDirectory("strata-client-throughput");
        try {
            System.out.println(run(directory, appenders, messages));
        } finally {
            deleteRecursively(directory);
        }
    }

    static Result run(Path directory, int appenders, int messagesPerAppender) throws InterruptedException {
        try (StrataServer server = StrataServer.embedded(directory);
                StrataClient daemon = server.daemon().build()) {
            List<String> tasks = IntStream.range(0, appenders)
                    .mapToObj(i -> server.newTask())
                    .toList();
            String content = "x".repeat(200);
            List<Thread> threads = new ArrayList<>();
            long start = System.nanoTime();
            for (String task : tasks) {
                threads.add(Thread.ofVirtual().start(() -> {
                    try (Appender appender = daemon.appender(task)) {
                        for (int seq = 1; seq <= messagesPerAppender; seq++) {
                            appender.append(NewMessage.of("text", content));
                        }
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            return new Result(appenders, messagesPerAppender, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
