package dev.strata.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.store.NewMessage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionWorkerTest {
    @TempDir
    Path directory;
    private Strata strata;

    @BeforeEach
    void open() {
        strata = Strata.open(StrataConfig.fromEnvironment(Map.of(
                "STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve("strata.db"),
                "STRATA_CONTENT_URL", "file:" + directory.resolve("objects"))));
    }

    @AfterEach
    void close() {
        strata.close();
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
        TaskDeletion deletion = new TaskDeletion(strata.store(), strata.directory());

        Clock now = Clock.fixed(Instant.now(), ZoneOffset.UTC);
        assertThat(new RetentionWorker(strata.directory(), deletion, Optional.of(Duration.ofDays(30)), now).runOnce()).isZero();

        Clock twoDaysLater = Clock.offset(now, Duration.ofDays(2));
        int deleted = new RetentionWorker(strata.directory(), deletion, Optional.of(Duration.ofDays(30)), twoDaysLater).runOnce();

        assertThat(deleted).isEqualTo(1);
        assertThat(strata.store().task(expired)).isEmpty();
        assertThat(strata.directory().task(short_, expired)).isEmpty();
        assertThat(strata.store().task(kept)).isPresent();
        assertThat(strata.store().task(keptByDefault)).isPresent();

        Clock monthsLater = Clock.offset(now, Duration.ofDays(60));
        assertThat(new RetentionWorker(strata.directory(), deletion, Optional.of(Duration.ofDays(30)), monthsLater).runOnce()).isEqualTo(1);
        assertThat(strata.store().task(keptByDefault)).isEmpty();
        assertThat(strata.store().task(kept)).isPresent();
    }
}
