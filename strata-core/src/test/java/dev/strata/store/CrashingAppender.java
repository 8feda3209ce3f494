package dev.strata.store;

import dev.strata.model.NewMessage;
import dev.strata.testing.S3ProxyServer;
import dev.strata.testing.StoreFixture;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.content.s3.S3ContentTier;
import dev.strata.tier.content.s3.S3Location;
import dev.strata.tier.content.s3.S3Settings;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Run in a child JVM by {@link AppendCrashTest}: one writer thread per task ({@code crash-0},
 * {@code crash-1}, ...) appends batches of {@value #BATCH} forever and prints {@code acked TASK SEQ}
 * after each append returns, until the test kills the JVM with SIGKILL.
 *
 * <p>Arguments: the JDBC URL, {@code file DIRECTORY} or {@code s3 BUCKET ENDPOINT}, then the
 * first seq of each writer.
 */
public final class CrashingAppender {
    static final int BATCH = 5;

    public static void main(String[] args) {
        Database database = new Database(
                new DatabaseSettings(args[0], Optional.empty(), Optional.empty(), 8, Duration.ofSeconds(5)));
        ContentTier content = switch (args[1]) {
            case "file" -> new LocalDirectoryContentTier(Path.of(args[2]));
            case "s3" ->
                new S3ContentTier(
                        S3Location.parse("s3://" + args[2]),
                        new S3Settings(
                                Optional.of(args[3]),
                                "us-east-1",
                                Optional.of(S3ProxyServer.ACCESS_KEY),
                                Optional.of(S3ProxyServer.SECRET_KEY),
                                true,
                                16,
                                Duration.ofSeconds(5)));
            default -> throw new IllegalArgumentException("unknown content kind " + args[1]);
        };
        TaskMessageStore store = StoreFixture.store(database, content, new NoSegmentCache());
        List<Thread> writers = new ArrayList<>();
        for (int writer = 0; writer + 4 < args.length; writer++) {
            String task = "crash-" + writer;
            long first = Long.parseLong(args[4 + writer]);
            store.createTask(task);
            writers.add(Thread.ofPlatform().start(() -> {
                for (long seq = first; ; seq += BATCH) {
                    List<NewMessage> batch = new ArrayList<>();
                    for (long s = seq; s < seq + BATCH; s++) {
                        batch.add(dev.strata.testing.Messages.text(
                                s, "message " + s + " " + "x".repeat((int) (s % 3000))));
                    }
                    store.append(task, batch);
                    synchronized (System.out) {
                        System.out.println("acked " + task + " " + (seq + BATCH - 1));
                        System.out.flush();
                    }
                }
            }));
        }
        for (Thread writer : writers) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
