package dev.strata.lifecycle;

import static dev.strata.testing.Messages.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.model.MessageQuery;
import dev.strata.store.StoreOptions;
import dev.strata.store.TaskMessageStore;
import dev.strata.testing.StoreFixture;
import dev.strata.testing.TestDatabases;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, defect 4: the background workers caught only RuntimeException, so one
 * OutOfMemoryError cancelled a PeriodicTask's schedule, or a compaction worker's pass, for good.
 * Now every failure is logged, counted in {@code strata_background_failures_total{job}}, and the
 * next pass runs.
 */
class BackgroundWorkerFailureTest {
    @TempDir
    Path directory;

    @Test
    void periodicTask_whoseJobThrowsAnError_keepsRunningItsNextPasses_andCountsTheFailures() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicInteger runs = new AtomicInteger();
        Runnable job = () -> {
            if (runs.incrementAndGet() <= 2) {
                throw new OutOfMemoryError("simulated: Java heap space");
            }
        };

        try (PeriodicTask task =
                new PeriodicTask("deletion", Duration.ofMillis(20), job, new BackgroundFailures(registry))) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> runs.get() >= 5);
        }

        assertThat(registry.get(BackgroundFailures.METER)
                        .tag("job", "deletion")
                        .counter()
                        .count())
                .as("strata_background_failures_total{job=deletion} after two Errors")
                .isEqualTo(2.0);
    }

    @Test
    void compactionScheduler_whoseCompactionThrowsAnError_compactsOnTheNextSweep_andCountsTheFailures() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BackgroundFailures failures = new BackgroundFailures(registry);
        FailingPuts content = new FailingPuts(new LocalDirectoryContentTier(directory.resolve("objects")));
        Database database = TestDatabases.sqlite(directory);
        try (TaskMessageStore store =
                StoreFixture.store(database, content, new NoSegmentCache(), StoreOptions.defaults())) {
            store.createTask("t");
            for (long b = 0; b < 5; b++) {
                store.append("t", range(b, b));
            }
            store.seal("t");
            content.failing.set(true);

            try (CompactionScheduler scheduler =
                    new CompactionScheduler(store, Duration.ofMillis(20), 64, 1, failures)) {
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> failures.count("compaction") >= 3);
                content.failing.set(false);
                Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> store.task("t").orElseThrow().liveSegments() == 1);
            }

            assertThat(store.list("t", MessageQuery.all()).messages())
                    .as("messages of t after compaction")
                    .hasSize(5);
            assertThat(registry.get(BackgroundFailures.METER)
                            .tag("job", "compaction")
                            .counter()
                            .count())
                    .as("strata_background_failures_total{job=compaction}")
                    .isGreaterThanOrEqualTo(3.0);
        } finally {
            database.close();
        }
    }

    /** The local directory, but writing throws an Error while {@link #failing} is set. */
    private static final class FailingPuts implements ContentTier {
        final AtomicBoolean failing = new AtomicBoolean();
        private final ContentTier delegate;

        FailingPuts(ContentTier delegate) {
            this.delegate = delegate;
        }

        @Override
        public void put(String key, byte[] bytes) {
            if (failing.get()) {
                throw new OutOfMemoryError("simulated: Java heap space");
            }
            delegate.put(key, bytes);
        }

        @Override
        public Optional<byte[]> get(String key) {
            return delegate.get(key);
        }

        @Override
        public Optional<byte[]> get(String key, long offset, int length) {
            return delegate.get(key, offset, length);
        }

        @Override
        public void delete(Collection<String> keys) {
            delegate.delete(keys);
        }

        @Override
        public void check() {
            delegate.check();
        }

        @Override
        public String describe() {
            return "failing " + delegate.describe();
        }
    }
}
