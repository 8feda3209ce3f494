package dev.strata.store;

import static dev.strata.testing.Messages.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.testing.RedisKeys;
import dev.strata.testing.S3ProxyServer;
import dev.strata.testing.StoreFixture;
import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestS3;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.redis.RedisSegmentCache;
import dev.strata.tier.content.s3.S3ContentTier;
import dev.strata.tier.content.s3.S3Location;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Strata instances (each with its own pool, S3 client and Redis connection) sharing one
 * PostgreSQL schema, one bucket and one Redis prefix, appending concurrently to the same tasks
 * with overlapping and replayed batches.
 */
class TwoInstancesTest {
    @TempDir
    Path directory;

    private S3ProxyServer server;
    private String schema;
    private String prefix;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private TaskMessageStore first;
    private TaskMessageStore second;

    @BeforeEach
    void open() {
        server = new S3ProxyServer(directory);
        String bucket = server.createBucket("two");
        schema = TestServices.uniqueName("two");
        prefix = TestServices.uniqueName("two") + ":";
        first = instance(bucket);
        second = instance(bucket);
    }

    private TaskMessageStore instance(String bucket) {
        Database database = TestDatabases.postgres(schema);
        S3ContentTier content = new S3ContentTier(S3Location.parse("s3://" + bucket), TestS3.settings(server));
        RedisSegmentCache cache = new RedisSegmentCache(
                TestServices.REDIS_URL, prefix, Duration.ofMinutes(5), Duration.ofSeconds(2), 8 << 20);
        TaskMessageStore store = StoreFixture.store(database, content, cache);
        closeables.add(store);
        closeables.add(cache);
        closeables.add(content);
        closeables.add(database);
        return store;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        server.close();
        TestServices.dropSchema(schema);
        RedisKeys.deleteAll(prefix);
    }

    @Test
    void concurrentOverlappingAndReplayedAppends_storeEverySeqOnce_andBothInstancesReadTheSame() {
        List<String> tasks = List.of("shared-1", "shared-2", "shared-3");
        tasks.forEach(first::createTask);
        List<CompletableFuture<Integer>> writers = new ArrayList<>();
        // Threads of their own (the common pool may have one thread) released together.
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        for (TaskMessageStore store : List.of(first, second, first, second)) {
            writers.add(CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        int accepted = 0;
                        for (int b = 0; b < 40; b++) {
                            for (String task : tasks) {
                                long start =
                                        b * 10L + ThreadLocalRandom.current().nextInt(3);
                                accepted += store.append(task, range(start, start + 14))
                                        .accepted();
                                if (b % 7 == 0) {
                                    accepted += store.append(task, range(start, start + 14))
                                            .accepted();
                                }
                            }
                        }
                        return accepted;
                    },
                    threads));
        }
        go.countDown();
        int accepted = writers.stream().mapToInt(CompletableFuture::join).sum();
        threads.shutdown();

        long total = 0;
        for (String task : tasks) {
            List<TaskMessage> fromFirst = first.list(task, MessageQuery.all()).messages();
            List<TaskMessage> fromSecond = second.list(task, MessageQuery.all()).messages();
            assertThat(fromFirst).isEqualTo(fromSecond);
            List<Long> seqs = fromFirst.stream().map(TaskMessage::seq).toList();
            assertThat(seqs).doesNotHaveDuplicates().isSorted();
            assertThat(seqs.get(0)).isLessThanOrEqualTo(2);
            assertThat(first.task(task).orElseThrow().messageCount()).isEqualTo(seqs.size());
            total += seqs.size();
            // Batch b covers at least b*10+2 to b*10+14, so batches 0 to 39 together cover 2 to 404 whatever the random
            // starts.
            assertThat(seqs)
                    .as("seqs of %s", task)
                    .containsAll(LongStream.rangeClosed(2, 404).boxed().toList());
        }
        assertThat(accepted).isEqualTo(total);
    }
}
