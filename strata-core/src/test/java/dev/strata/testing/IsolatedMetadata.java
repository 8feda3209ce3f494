package dev.strata.testing;

import dev.strata.store.ContentSegmentKeys;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * A metadata tier on a database of its own: a SQLite file in the given directory, or a new
 * PostgreSQL schema, which {@link #close} drops.
 */
public final class IsolatedMetadata implements AutoCloseable {
    /** Where the tier's database runs. */
    public enum Backend {
        SQLITE,
        POSTGRESQL
    }

    private final Database database;
    private final JdbcMetadataTier metadata;
    private final Optional<String> schema;

    private IsolatedMetadata(Database database, Optional<String> schema) {
        this.database = database;
        this.schema = schema;
        this.metadata = new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys());
    }

    /** @param name the start of the PostgreSQL schema's name (a unique suffix is added) */
    public static IsolatedMetadata open(Backend backend, Path directory, String name) {
        return switch (backend) {
            case SQLITE -> new IsolatedMetadata(TestDatabases.sqlite(directory), Optional.empty());
            case POSTGRESQL -> postgres(name);
        };
    }

    public static IsolatedMetadata postgres(String name) {
        String schema = TestServices.uniqueName(name);
        return new IsolatedMetadata(TestDatabases.postgres(schema), Optional.of(schema));
    }

    public Database database() {
        return database;
    }

    public JdbcMetadataTier metadata() {
        return metadata;
    }

    /** @return a JDBC URL of the PostgreSQL schema, for connections of the test's own */
    public String postgresUrl() {
        return TestServices.postgresUrl(schema.orElseThrow(() -> new IllegalStateException("not on PostgreSQL")));
    }

    /**
     * @return one line per segment row whose seq range (schema V8) or message count differs from
     *     the message rows that point at it, or that has no range or no message: none when consistent
     */
    public static List<String> segmentRangeMismatches(Database database) {
        return database.read(
                "test segmentRangeMismatches",
                handle -> handle.createQuery("SELECT 'task ' || s.task_key || ' segment ' || s.segment_no"
                                + " || ': first/last/count ' || COALESCE(s.first_seq, -1) || '/' ||"
                                + " COALESCE(s.last_seq, -1) || '/' || s.message_count || ' rows '"
                                + " || COALESCE(m.lo, -1) || '/' || COALESCE(m.hi, -1) || '/' || COALESCE(m.n, 0)"
                                + " FROM tm_segment s LEFT JOIN (SELECT task_key, segment_no, MIN(seq) AS lo,"
                                + " MAX(seq) AS hi, COUNT(*) AS n FROM tm_message GROUP BY task_key, segment_no) m"
                                + " ON m.task_key = s.task_key AND m.segment_no = s.segment_no"
                                + " WHERE s.first_seq IS NULL OR s.last_seq IS NULL OR m.n IS NULL"
                                + " OR s.first_seq <> m.lo OR s.last_seq <> m.hi OR s.message_count <> m.n")
                        .mapTo(String.class)
                        .list());
    }

    @Override
    public void close() {
        metadata.close();
        database.close();
        schema.ifPresent(TestServices::dropSchema);
    }
}
