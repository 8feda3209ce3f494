package dev.strata.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.testing.S3ProxyServer;
import dev.strata.testing.StoreFixture;
import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestS3;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.content.s3.S3ContentTier;
import dev.strata.tier.content.s3.S3Location;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 1 under real crashes: a child JVM with concurrent writers (one per task) appends
 * continuously and is killed with SIGKILL at a random moment, several times. After each kill,
 * every acknowledged batch is fully readable and no batch is partly visible: each task's stored
 * seqs are always a whole number of batches from 0. On the embedded backends and on PostgreSQL
 * with S3 (S3Proxy, served by this JVM, so the kill cuts the child's connections mid-request).
 */
class AppendCrashTest {
    private static final int WRITERS = 3;

    @TempDir
    Path directory;

    @Test
    void killedWriters_onSqliteAndALocalDirectory_loseNothingAcknowledgedAndLeaveNoPartialBatch() throws Exception {
        String url = "jdbc:sqlite:" + directory.resolve("metadata.db");
        List<String> content = List.of("file", directory.resolve("objects").toString(), "-");
        killRepeatedly(url, content, () -> {
            Database database = new Database(DatabaseSettings.of(url));
            return new Opened(database, new LocalDirectoryContentTier(directory.resolve("objects")));
        });
    }

    @Test
    void killedWriters_onPostgresAndS3_loseNothingAcknowledgedAndLeaveNoPartialBatch() throws Exception {
        String schema = TestServices.uniqueName("crash");
        try (S3ProxyServer server = new S3ProxyServer(directory.resolve("s3"))) {
            String bucket = server.createBucket("crash");
            String url = TestServices.postgresUrl(schema);
            killRepeatedly(
                    url,
                    List.of("s3", bucket, server.endpoint()),
                    () -> new Opened(
                            TestDatabases.postgres(schema),
                            new S3ContentTier(S3Location.parse("s3://" + bucket), TestS3.settings(server))));
        } finally {
            TestServices.dropSchema(schema);
        }
    }

    /** A store's tiers as the checking side opens them. */
    private record Opened(Database database, ContentTier content) {}

    private void killRepeatedly(String url, List<String> content, Supplier<Opened> open) throws Exception {
        Map<String, Long> lastAcked = new HashMap<>();
        for (int round = 0; round < 4; round++) {
            Map<String, List<Long>> before = storedSeqs(open);
            List<String> args = new ArrayList<>(List.of(url));
            args.addAll(content);
            for (int writer = 0; writer < WRITERS; writer++) {
                args.add(Long.toString(before.get("crash-" + writer).size()));
            }
            runAndKill(args, WRITERS * (3 + ThreadLocalRandom.current().nextInt(30)))
                    .forEach((task, acked) -> lastAcked.merge(task, acked, Math::max));

            Map<String, List<Long>> stored = storedSeqs(open);
            for (int writer = 0; writer < WRITERS; writer++) {
                String task = "crash-" + writer;
                List<Long> seqs = stored.get(task);
                assertThat(seqs.size() % CrashingAppender.BATCH)
                        .as("round %d, %s: no partial batch visible (%d seqs)", round, task, seqs.size())
                        .isZero();
                assertThat(seqs)
                        .as("round %d, %s: seqs from 0 without a gap", round, task)
                        .containsExactlyElementsOf(
                                LongStream.range(0, seqs.size()).boxed().toList());
                assertThat(seqs.size() - 1L)
                        .as("round %d, %s: every acknowledged message survived", round, task)
                        .isGreaterThanOrEqualTo(lastAcked.getOrDefault(task, -1L));
            }
        }
        assertThat(lastAcked).as("tasks whose writer acknowledged something").hasSize(WRITERS);
    }

    /** Starts the appender, lets it acknowledge {@code acks} batches, kills it, and returns each task's last acknowledged seq. */
    private Map<String, Long> runAndKill(List<String> args, int acks) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                CrashingAppender.class.getName()));
        command.addAll(args);
        Process child = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Map<String, Long> lastAcked = new HashMap<>();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            int seen = 0;
            String line;
            while (seen < acks && (line = out.readLine()) != null) {
                record(line, lastAcked);
                seen++;
            }
            assertThat(child.isAlive())
                    .as("the appender is still running when it is killed (it printed %d acks)", seen)
                    .isTrue();
            child.destroyForcibly();
            // Acknowledgements printed before the kill landed count too, when they can still be read;
            // missing some only makes the check weaker, never wrong.
            try {
                while ((line = out.readLine()) != null) {
                    record(line, lastAcked);
                }
            } catch (java.io.IOException closedByKill) {
                // The pipe went away with the process.
            }
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("the appender died").isTrue();
        return lastAcked;
    }

    private static void record(String line, Map<String, Long> lastAcked) {
        String[] parts = line.split(" ");
        lastAcked.merge(parts[1], Long.parseLong(parts[2]), Math::max);
    }

    private static Map<String, List<Long>> storedSeqs(Supplier<Opened> open) {
        Opened opened = open.get();
        try (Database database = opened.database();
                ContentTier content = opened.content();
                TaskMessageStore store = StoreFixture.store(database, content, new NoSegmentCache())) {
            Map<String, List<Long>> seqs = new HashMap<>();
            for (int writer = 0; writer < WRITERS; writer++) {
                String task = "crash-" + writer;
                store.createTask(task);
                List<Long> stored = new ArrayList<>();
                for (TaskMessage message : store.list(task, MessageQuery.all()).messages()) {
                    assertThat(message.content())
                            .as("content of %s seq %d", task, message.seq())
                            .startsWith("message " + message.seq() + " ");
                    stored.add(message.seq());
                }
                seqs.put(task, stored);
            }
            return seqs;
        }
    }
}
