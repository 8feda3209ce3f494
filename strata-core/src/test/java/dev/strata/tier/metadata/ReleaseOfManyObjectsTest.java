package dev.strata.tier.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.testing.IsolatedMetadata;
import dev.strata.testing.IsolatedMetadata.Backend;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One release of more objects than a statement takes bound parameters: a task deletion that
 * empties 70,000 shared objects (a task that appended through 70,000 flushes, or a batch of tasks
 * deleted together). PostgreSQL's protocol takes at most 65,535 parameters per statement, so any
 * statement of {@code ObjectRows.release} with a parameter per object must be cut in chunks, as
 * its locking and decrementing statements are.
 */
class ReleaseOfManyObjectsTest {
    private static final int OBJECTS = 70_000;
    private static final long FIRST_OBJECT = 5_000_000L;

    @TempDir
    Path directory;

    private IsolatedMetadata isolated;

    @AfterEach
    void close() {
        if (isolated != null) {
            isolated.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void deleteOfATaskWhoseFramesAreTheLastOfManySharedObjects_queuesEveryObject(Backend backend) {
        isolated = IsolatedMetadata.open(backend, directory, "release");
        Database database = isolated.database();
        MetadataTier metadata = isolated.metadata();
        metadata.createTask("big", Instant.now());
        long taskKey = metadata.task("big").orElseThrow().taskKey();
        // The rows 70,000 flushes of one frame each leave: a segment row per frame and a shared
        // object with that one live frame (written in bulk: the flushes themselves take minutes).
        String numbers = "WITH RECURSIVE g (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < " + OBJECTS + ")";
        database.jdbi().useHandle(handle -> {
            handle.execute("INSERT INTO tm_segment (task_key, segment_no, object_id, byte_size, message_count,"
                    + " checksum, created_at, frame_offset, object_kind, first_seq, last_seq) " + numbers
                    + " SELECT " + taskKey + ", n, " + FIRST_OBJECT + " + n, 100, 1, 7, 0, 0, 1, n, n FROM g");
            handle.execute("INSERT INTO tm_message (task_key, seq, type_id, tool_id, call_id, created_at,"
                    + " segment_no, commit_no) " + numbers + " SELECT " + taskKey + ", n, 0, 0, NULL, 0, n, n FROM g");
            handle.execute("INSERT INTO tm_object (object_id, object_kind, live_frames, created_at) " + numbers
                    + " SELECT " + FIRST_OBJECT + " + n, 1, 1, 0 FROM g");
            handle.execute("UPDATE tm_task SET segment_count = " + OBJECTS + ", message_count = " + OBJECTS
                    + ", live_segments = " + OBJECTS + ", loose_segments = " + OBJECTS + ", shared_frames = "
                    + OBJECTS + " WHERE task_key = " + taskKey);
        });

        List<PendingDeletion> queued = metadata.deleteTasks(List.of("big"));

        assertThat(queued).as("objects queued for deletion").hasSize(OBJECTS);
        long objectRows = database.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM tm_object")
                        .mapTo(Long.class)
                        .one());
        assertThat(objectRows).as("object rows left").isZero();
        assertThat(metadata.task("big")).isEmpty();
    }
}
