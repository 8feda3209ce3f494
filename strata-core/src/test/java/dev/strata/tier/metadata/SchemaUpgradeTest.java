package dev.strata.tier.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.model.MessageQuery;
import dev.strata.store.ContentSegmentKeys;
import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestServices;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import dev.strata.tier.metadata.jdbc.SqlDialect;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store written with the V2 schema keeps its data when it migrates to V3, on every database. */
class SchemaUpgradeTest {
    @TempDir
    Path directory;

    @Test
    void v2Store_upgradesKeepingItsData_andNeverReusesTaskKeys_onSqlite() {
        try (Database database = TestDatabases.sqlite(directory)) {
            upgradeKeepsData(database, Optional.empty());
        }
    }

    @Test
    void v2Store_upgradesKeepingItsData_andNeverReusesTaskKeys_onPostgres() {
        String schema = TestServices.uniqueName("upgrade");
        try (Database database = TestDatabases.postgres(schema)) {
            upgradeKeepsData(database, Optional.of(schema));
        } finally {
            TestServices.dropSchema(schema);
        }
    }

    private static void upgradeKeepsData(Database database, Optional<String> schema) {
        migrateTo(database, schema, "2");
        database.jdbi().useHandle(handle -> {
            // Tasks 1 to 3; 3 (the newest) is deleted, as a V2 store did: its key is free for reuse there.
            handle.execute(
                    "INSERT INTO tm_task (task_key, task_id, created_at, sealed, message_count, last_message_at, segment_count, live_segments)"
                            + " VALUES (1, 'a', 1000, 1, 2, 2000, 1, 1), (2, 'b', 1000, 0, 1, 3000, 1, 1), (3, 'c', 1000, 0, 0, NULL, 0, 0)");
            handle.execute("DELETE FROM tm_task WHERE task_key = 3");
            handle.execute(
                    "INSERT INTO tm_name (name_id, name) VALUES (1, 'text'), (2, 'Bash'), (3, 'tool-use'), (4, 'unused-by-any-task')");
            handle.execute(
                    "INSERT INTO tm_segment (task_key, segment_no, object_id, byte_size, message_count, checksum, created_at)"
                            + " VALUES (1, 1, 11, 100, 2, 7, 1000), (2, 1, 21, 50, 1, 8, 1000)");
            handle.execute("INSERT INTO tm_message (task_key, seq, type_id, tool_id, call_id, created_at, segment_no)"
                    + " VALUES (1, 0, 3, 2, 'c1', 1500, 1), (1, 1, 1, 0, NULL, 2000, 1), (2, 0, 1, 0, NULL, 3000, 1)");
            handle.execute(
                    "INSERT INTO tm_type_count (task_key, type_id, message_count) VALUES (1, 3, 1), (1, 1, 1), (2, 1, 1)");
        });
        if (database.dialect() == SqlDialect.POSTGRESQL) {
            // Keys above came from explicit values; a V2 store on PostgreSQL drew them from the identity.
            database.jdbi()
                    .useHandle(handle -> handle.createQuery(
                                    "SELECT setval(pg_get_serial_sequence('tm_task', 'task_key'), 3)")
                            .mapTo(Long.class)
                            .one());
        }

        MetadataTier metadata = new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys());

        TaskRecord a = metadata.task("a").orElseThrow();
        assertThat(a.taskKey()).as("key of task a after the upgrade").isEqualTo(1);
        assertThat(a.summary().messageCount()).as("message count of task a").isEqualTo(2);
        assertThat(a.summary().sealed()).as("sealed flag of task a").isTrue();
        assertThat(a.summary().lastMessageAt()).as("last message of task a").contains(Instant.ofEpochMilli(2000));
        assertThat(a.summary().liveSegments()).as("live segments of task a").isEqualTo(1);
        assertThat(metadata.locate(a, MessageQuery.all().including(Set.of("tool-use")), 10))
                .as("tool-use messages of task a")
                .extracting(MessageLocation::seq)
                .containsExactly(0L);
        assertThat(metadata.countByType(List.of("a", "b")))
                .as("type counts after the upgrade")
                .isEqualTo(Map.of("a", Map.of("tool-use", 1L, "text", 1L), "b", Map.of("text", 1L)));
        assertThat(metadata.storedSeqs(a, List.of(0L, 1L, 2L)))
                .as("stored seqs of task a")
                .containsExactlyInAnyOrder(0L, 1L);
        assertThat(names(database))
                .as("names after the upgrade: the unused one is pruned")
                .containsExactlyInAnyOrder("text", "Bash", "tool-use");

        metadata.createTask("d", Instant.now());
        long keyOfD = metadata.task("d").orElseThrow().taskKey();
        assertThat(keyOfD).as("key of the first task created after the upgrade").isGreaterThan(2);
        metadata.deleteTasks(List.of("d"));
        metadata.createTask("e", Instant.now());
        assertThat(metadata.task("e").orElseThrow().taskKey())
                .as("key of a task created after the newest, d, was deleted")
                .isGreaterThan(keyOfD);
        metadata.deleteTasks(List.of("a"));
        assertThat(names(database))
                .as("names once task a, the only user of Bash and tool-use, is deleted")
                .containsExactly("text");
        assertThat(metadata.catalog().segments(metadata.task("b").orElseThrow()))
                .as("segments of task b")
                .extracting(SegmentRecord::objectId)
                .containsExactly(21L);
    }

    private static List<String> names(Database database) {
        return database.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT name FROM tm_name")
                        .mapTo(String.class)
                        .list());
    }

    /** Migrates like {@link Database#migrate}, but only up to {@code target}. */
    private static void migrateTo(Database database, Optional<String> schema, String target) {
        var configuration = Flyway.configure()
                .dataSource(database.dataSource())
                .locations("classpath:db/store/" + database.dialect().migrationFolder())
                .table("strata_store_schema_history")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .target(target);
        schema.ifPresent(name -> configuration.schemas(name).defaultSchema(name).createSchemas(true));
        configuration.load().migrate();
    }
}
