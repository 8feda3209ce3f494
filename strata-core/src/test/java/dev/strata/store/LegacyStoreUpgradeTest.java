package dev.strata.store;

import static dev.strata.testing.Messages.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.codec.SegmentCodec;
import dev.strata.lifecycle.Fsck;
import dev.strata.lifecycle.FsckReport;
import dev.strata.model.MessageQuery;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.cache.FailSafeSegmentCache;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.SegmentRecord;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A store written by the layout before shared objects (schema V4, one object per append under
 * the task's prefix) opens with the current code: V5 runs, and reading, appending, compacting,
 * deleting and fsck all work on the mix of old and new objects. The old store is written here the
 * way that code did: its migrations up to V4, then an object and rows per append.
 */
class LegacyStoreUpgradeTest {
    @TempDir
    Path directory;

    @Test
    void v4Store_onSqlite_readsAppendsCompactsDeletesAndChecksClean() {
        try (Database database = TestDatabases.sqlite(directory)) {
            upgrade(database, Optional.empty());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = "postgresql")
    void v4Store_onPostgres_readsAppendsCompactsDeletesAndChecksClean(String dialect) {
        String schema = TestServices.uniqueName("legacy");
        try (Database database = TestDatabases.postgres(schema)) {
            upgrade(database, Optional.of(schema));
        } finally {
            TestServices.dropSchema(schema);
        }
    }

    private void upgrade(Database database, Optional<String> schema) {
        LocalDirectoryContentTier content = new LocalDirectoryContentTier(directory.resolve("objects"));
        migrateToV4(database, schema);
        LegacyWriter legacy = new LegacyWriter(database, content);
        legacy.task(1, "old-open");
        legacy.task(2, "old-sealed");
        legacy.task(3, "old-doomed");
        legacy.append(1, "old-open", 1, range(0, 9));
        legacy.append(1, "old-open", 2, range(10, 19));
        legacy.append(2, "old-sealed", 1, range(0, 4));
        legacy.append(2, "old-sealed", 2, range(5, 9));
        legacy.append(2, "old-sealed", 3, range(10, 14));
        legacy.append(3, "old-doomed", 1, range(0, 2));
        database.jdbi().useHandle(handle -> handle.execute("UPDATE tm_task SET sealed = 1 WHERE task_key = 2"));
        afterLegacyTasks(database, schema, 3);

        JdbcMetadataTier metadata = new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys());
        try (TaskMessageStore store = store(metadata, content)) {
            assertThat(contents(store, "old-open")).isEqualTo(contents(range(0, 19)));
            assertThat(store.compactionCandidates(64, 100))
                    .as("candidates right after the upgrade: the sealed task with three old objects")
                    .containsExactly("old-sealed");

            assertThat(store.append("old-open", range(15, 24)).accepted())
                    .as("an append after the upgrade, overlapping old seqs")
                    .isEqualTo(5);
            assertThat(contents(store, "old-open")).isEqualTo(contents(range(0, 24)));
            assertThat(store.log().horizon("old-open"))
                    .as("commit numbers go on after the old ones")
                    .contains(3L);

            store.compact("old-sealed");
            store.seal("old-open");
            store.compact("old-open");
            store.purgePendingDeletions();
            for (String taskId : List.of("old-open", "old-sealed")) {
                List<SegmentRecord> segments =
                        metadata.catalog().segments(metadata.task(taskId).orElseThrow());
                assertThat(segments)
                        .as("segments of %s after consolidation", taskId)
                        .allSatisfy(s -> assertThat(s.kind()).isEqualTo(ObjectKind.CONSOLIDATED));
            }
            assertThat(contents(store, "old-sealed")).isEqualTo(contents(range(0, 14)));
            assertThat(contents(store, "old-open")).isEqualTo(contents(range(0, 24)));
            assertThat(store.compactionCandidates(64, 100)).isEmpty();

            store.delete(List.of("old-doomed"));
            assertThat(content.get(ContentKeys.segment("old-doomed", 1)))
                    .as("the old object of a deleted task")
                    .isEmpty();
            assertThat(store.task("old-doomed")).isEmpty();

            FsckReport report = fsck(metadata, content);
            assertThat(report.problems()).as("fsck after the upgrade").isEmpty();
            assertThat(TestServices.countFiles(directory.resolve("objects")))
                    .as("objects left: one consolidated object per remaining task")
                    .isEqualTo(2);
        }
    }

    /** An open V4 task's one-frame objects move (not merge) into a consolidated object, then merge once sealed. */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void v4OpenTask_framesMovedWhileOpen_thenMergedOnceSealed(String dialect) {
        String schema = TestServices.uniqueName("legacymove");
        try (Database database =
                dialect.equals("sqlite") ? TestDatabases.sqlite(directory) : TestDatabases.postgres(schema)) {
            Optional<String> schemaName = dialect.equals("sqlite") ? Optional.empty() : Optional.of(schema);
            LocalDirectoryContentTier content = new LocalDirectoryContentTier(directory.resolve("objects"));
            migrateToV4(database, schemaName);
            LegacyWriter legacy = new LegacyWriter(database, content);
            legacy.task(1, "old-open");
            legacy.append(1, "old-open", 1, range(0, 9));
            legacy.append(1, "old-open", 2, range(10, 19));
            legacy.append(1, "old-open", 3, range(20, 29));
            afterLegacyTasks(database, schemaName, 3);
            JdbcMetadataTier metadata = new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys());
            try (TaskMessageStore store = store(metadata, content)) {
                assertThat(store.append("old-open", range(25, 34)).accepted()).isEqualTo(5);
                CompactionResult moved = store.compact("old-open");
                store.purgePendingDeletions();
                List<SegmentRecord> segments =
                        metadata.catalog().segments(metadata.task("old-open").orElseThrow());
                assertThat(segments)
                        .as("segments after the move (%s)", moved)
                        .hasSize(4)
                        .allSatisfy(s -> assertThat(s.kind()).isEqualTo(ObjectKind.CONSOLIDATED));
                assertThat(contents(store, "old-open")).isEqualTo(contents(range(0, 34)));
                assertThat(TestServices.countFiles(directory.resolve("objects")))
                        .as("objects after the move: the old ones are gone")
                        .isEqualTo(1);
                assertThat(store.compactionCandidates(0, 100)).isEmpty();
                FsckReport report = fsck(metadata, content);
                assertThat(report.problems()).as("fsck after the move").isEmpty();
                store.seal("old-open");
                store.compact("old-open");
                store.purgePendingDeletions();
                assertThat(metadata.catalog().segments(metadata.task("old-open").orElseThrow()))
                        .as("segments once merged")
                        .hasSize(1);
                assertThat(contents(store, "old-open")).isEqualTo(contents(range(0, 34)));
                assertThat(TestServices.countFiles(directory.resolve("objects")))
                        .isEqualTo(1);
            }
        } finally {
            if (dialect.equals("postgresql")) {
                TestServices.dropSchema(schema);
            }
        }
    }

    /** A store on the upgraded metadata, as the current version opens it. */
    private static TaskMessageStore store(JdbcMetadataTier metadata, LocalDirectoryContentTier content) {
        return new TaskMessageStore(
                metadata,
                content,
                new FailSafeSegmentCache(new CaffeineSegmentCache(8 << 20, Duration.ofHours(1))),
                StoreOptions.defaults().withReplacedSegmentGrace(Duration.ZERO),
                Clock.systemUTC());
    }

    /**
     * On PostgreSQL, moves the task key sequence past the keys the legacy writer chose itself, as
     * the old version's own inserts would have.
     */
    private static void afterLegacyTasks(Database database, Optional<String> schema, long lastTaskKey) {
        if (schema.isPresent()) {
            database.jdbi()
                    .useHandle(handle -> handle.createQuery(
                                    "SELECT setval(pg_get_serial_sequence('tm_task', 'task_key'), :last)")
                            .bind("last", lastTaskKey)
                            .mapTo(Long.class)
                            .one());
        }
    }

    /** An fsck CHECK pass over the upgraded store, its clock a second ahead of the objects just written. */
    private static FsckReport fsck(JdbcMetadataTier metadata, LocalDirectoryContentTier content) {
        return new Fsck(
                        metadata,
                        content,
                        new FailSafeSegmentCache(new CaffeineSegmentCache(1 << 20, Duration.ofHours(1))),
                        new SegmentCodec(),
                        Clock.offset(Clock.systemUTC(), Duration.ofSeconds(1)),
                        Duration.ZERO)
                .run(Fsck.Mode.CHECK, done -> {});
    }

    private static List<String> contents(TaskMessageStore store, String taskId) {
        return store.list(taskId, MessageQuery.all().limitedTo(1000)).messages().stream()
                .map(TaskMessage::content)
                .toList();
    }

    private static List<String> contents(List<NewMessage> messages) {
        return messages.stream().map(NewMessage::content).toList();
    }

    /** Migrates like {@link Database#migrate}, but only up to V4: the schema the previous code wrote. */
    private static void migrateToV4(Database database, Optional<String> schema) {
        var configuration = Flyway.configure()
                .dataSource(database.dataSource())
                .locations("classpath:db/store/" + database.dialect().migrationFolder())
                .table("strata_store_schema_history")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .target("4");
        schema.ifPresent(name -> configuration.schemas(name).defaultSchema(name).createSchemas(true));
        configuration.load().migrate();
    }

    /** Writes objects and rows the way the code before V5 did: one object per append, under the task's prefix. */
    private static final class LegacyWriter {
        private final Database database;
        private final LocalDirectoryContentTier content;
        private final SegmentCodec codec = new SegmentCodec();

        LegacyWriter(Database database, LocalDirectoryContentTier content) {
            this.database = database;
            this.content = content;
        }

        void task(long taskKey, String taskId) {
            database.jdbi()
                    .useHandle(handle -> handle.createUpdate(
                                    "INSERT INTO tm_task (task_key, task_id, created_at) VALUES (:key, :id, 1000)")
                            .bind("key", taskKey)
                            .bind("id", taskId)
                            .execute());
        }

        /** One append: its object (id = segment number), its segment row and its message rows. */
        void append(long taskKey, String taskId, int segmentNo, List<NewMessage> batch) {
            List<TaskMessage> messages = new ArrayList<>();
            for (NewMessage m : batch) {
                messages.add(new TaskMessage(
                        TaskMessageStore.messageId(taskId, m.seq()),
                        taskId,
                        m.seq(),
                        m.type(),
                        m.tool(),
                        m.callId(),
                        m.content(),
                        m.input(),
                        m.output(),
                        Instant.ofEpochMilli(2000)));
            }
            SegmentCodec.Encoded encoded = codec.encode(messages);
            content.put(ContentKeys.segment(taskId, segmentNo), encoded.bytes());
            database.jdbi().useTransaction(handle -> {
                handle.execute("INSERT INTO tm_name (name) VALUES ('text') ON CONFLICT (name) DO NOTHING");
                int text = handle.createQuery("SELECT name_id FROM tm_name WHERE name = 'text'")
                        .mapTo(Integer.class)
                        .one();
                handle.createUpdate("INSERT INTO tm_task_name (task_key, name_id) VALUES (:key, :name)"
                                + " ON CONFLICT (task_key, name_id) DO NOTHING")
                        .bind("key", taskKey)
                        .bind("name", text)
                        .execute();
                handle.createUpdate(
                                "INSERT INTO tm_segment (task_key, segment_no, object_id, byte_size,"
                                        + " message_count, checksum, created_at) VALUES (:key, :no, :no, :size, :count, :checksum, 1000)")
                        .bind("key", taskKey)
                        .bind("no", segmentNo)
                        .bind("size", encoded.bytes().length)
                        .bind("count", messages.size())
                        .bind("checksum", encoded.checksum())
                        .execute();
                for (TaskMessage m : messages) {
                    handle.createUpdate("INSERT INTO tm_message (task_key, seq, type_id, tool_id, call_id, created_at,"
                                    + " segment_no, commit_no) VALUES (:key, :seq, :type, 0, NULL, 2000, :no, :no)")
                            .bind("key", taskKey)
                            .bind("seq", m.seq())
                            .bind("type", text)
                            .bind("no", segmentNo)
                            .execute();
                }
                handle.createUpdate("UPDATE tm_task SET message_count = message_count + :n, segment_count = :no,"
                                + " live_segments = live_segments + 1, last_message_at = 2000 WHERE task_key = :key")
                        .bind("n", messages.size())
                        .bind("no", segmentNo)
                        .bind("key", taskKey)
                        .execute();
                handle.createUpdate(
                                "INSERT INTO tm_type_count (task_key, type_id, message_count) VALUES (:key, :type, :n)"
                                        + " ON CONFLICT (task_key, type_id) DO UPDATE SET message_count ="
                                        + " tm_type_count.message_count + excluded.message_count")
                        .bind("key", taskKey)
                        .bind("type", text)
                        .bind("n", messages.size())
                        .execute();
            });
        }
    }
}
