package dev.strata.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.model.NewMessage;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.testing.RedisKeys;
import dev.strata.testing.TestServices;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention deletes a task from every tier: metadata, directory, objects and the Redis cache (own key prefix). */
class RetentionWorkerTest {
    @TempDir
    Path directory;

    private final String cachePrefix = TestServices.uniqueName("retention") + ":";
    private Strata strata;

    @BeforeEach
    void open() {
        strata = Strata.open(StrataConfig.fromEnvironment(Map.of(
                "STRATA_DB_URL",
                "jdbc:sqlite:" + directory.resolve("strata.db"),
                "STRATA_CONTENT_URL",
                "file:" + directory.resolve("objects"),
                "STRATA_CACHE_URL",
                TestServices.REDIS_URL,
                "STRATA_CACHE_PREFIX",
                cachePrefix)));
    }

    @AfterEach
    void close() {
        strata.close();
        RedisKeys.deleteAll(cachePrefix);
    }

    /** Objects of the task in the content directory, and its entries in the Redis cache. */
    /** Cache keys of the task's frames seen while it still had them, to look for their entries after it is gone. */
    private final java.util.Map<String, List<String>> cacheKeysSeen = new java.util.HashMap<>();

    private List<String> tiersHolding(String taskId) {
        List<String> holders = new ArrayList<>();
        List<dev.strata.store.Frame> frames = dev.strata.lifecycle.TaskFrames.of(
                new dev.strata.tier.content.LocalDirectoryContentTier(directory.resolve("objects")), taskId);
        if (!frames.isEmpty()) {
            holders.add(frames.size() + " object(s)");
        }
        cacheKeysSeen.computeIfAbsent(taskId, id -> new ArrayList<>());
        frames.forEach(frame -> {
            if (!cacheKeysSeen.get(taskId).contains(frame.cacheKey())) {
                cacheKeysSeen.get(taskId).add(frame.cacheKey());
            }
        });
        long cached = cacheKeysSeen.get(taskId).stream()
                .mapToLong(key -> RedisKeys.count(cachePrefix + key))
                .sum();
        if (cached > 0) {
            holders.add(cached + " cache entr(y/ies)");
        }
        strata.store().task(taskId).ifPresent(summary -> holders.add("metadata " + summary));
        return holders;
    }

    private String taskWithMessages(String workspace) {
        String id = java.util.UUID.randomUUID().toString();
        strata.store().createTask(id);
        strata.directory().createTask(id, workspace, Optional.empty(), "");
        strata.store().append(id, List.of(NewMessage.of(1, "text")));
        return id;
    }

    @Test
    void inactiveTasksPastTheirWorkspaceRetention_areDeletedFromEveryTier() {
        String short_ = strata.directory().createWorkspace("short").id();
        String off = strata.directory().createWorkspace("off").id();
        String byDefault = strata.directory().createWorkspace("default").id();
        strata.directory().setRetention(short_, Optional.of("1d"));
        strata.directory().setRetention(off, Optional.of("off"));
        String expired = taskWithMessages(short_);
        String kept = taskWithMessages(off);
        String keptByDefault = taskWithMessages(byDefault);
        for (String task : List.of(expired, kept, keptByDefault)) {
            assertThat(tiersHolding(task))
                    .as("tiers holding task %s before retention", task)
                    .hasSize(3);
        }
        TaskDeletion deletion = new TaskDeletion(strata.store(), strata.directory());

        Clock now = Clock.fixed(Instant.now(), ZoneOffset.UTC);
        assertThat(new RetentionWorker(strata.directory(), deletion, Optional.of(Duration.ofDays(30)), now).runOnce())
                .isZero();

        Clock twoDaysLater = Clock.offset(now, Duration.ofDays(2));
        int deleted = new RetentionWorker(strata.directory(), deletion, Optional.of(Duration.ofDays(30)), twoDaysLater)
                .runOnce();

        assertThat(deleted).isEqualTo(1);
        assertThat(tiersHolding(expired))
                .as("tiers still holding task %s, expired after 1d", expired)
                .isEmpty();
        assertThat(strata.directory().task(short_, expired))
                .as("directory entry of expired task %s", expired)
                .isEmpty();
        assertThat(tiersHolding(kept))
                .as("tiers holding task %s, retention off", kept)
                .hasSize(3);
        assertThat(tiersHolding(keptByDefault))
                .as("tiers holding task %s, default retention of 30d", keptByDefault)
                .hasSize(3);

        Clock monthsLater = Clock.offset(now, Duration.ofDays(60));
        assertThat(new RetentionWorker(strata.directory(), deletion, Optional.of(Duration.ofDays(30)), monthsLater)
                        .runOnce())
                .isEqualTo(1);
        assertThat(tiersHolding(keptByDefault))
                .as("tiers still holding task %s, past the default retention", keptByDefault)
                .isEmpty();
        assertThat(strata.directory().task(byDefault, keptByDefault))
                .as("directory entry of task %s", keptByDefault)
                .isEmpty();
        assertThat(tiersHolding(kept))
                .as("tiers holding task %s, retention off", kept)
                .hasSize(3);
    }
}
