package dev.strata.bench;

import dev.strata.model.NewMessage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * Writes a legacy single-table database (the original layout: {@code task_message} with content in
 * every row, beside {@code agent_task_queue}) filled with generated traces, for the migration
 * workload and for tests.
 */
public final class LegacyGenerator {
    private static final DateTimeFormatter SQLITE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private LegacyGenerator() {}

    /** @return the number of tasks written */
    public static int writeSqlite(Path file, long seed, long rows) {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement ddl = connection.createStatement()) {
                ddl.execute("PRAGMA journal_mode = OFF");
                ddl.execute("PRAGMA synchronous = OFF");
                ddl.execute(
                        "CREATE TABLE agent_task_queue (id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, conversation_id TEXT,"
                                + " status TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT (datetime('now')))");
                ddl.execute(
                        "CREATE TABLE task_message (id TEXT PRIMARY KEY, task_id TEXT NOT NULL REFERENCES agent_task_queue(id) ON DELETE CASCADE,"
                                + " seq INTEGER NOT NULL, type TEXT NOT NULL DEFAULT '', tool TEXT NOT NULL DEFAULT '', call_id TEXT NOT NULL DEFAULT '',"
                                + " content TEXT NOT NULL DEFAULT '', input TEXT, output TEXT NOT NULL DEFAULT '',"
                                + " created_at TEXT NOT NULL DEFAULT (datetime('now')))");
            }
            connection.setAutoCommit(false);
            TraceGenerator generator = new TraceGenerator(seed);
            int tasks = 0;
            long written = 0;
            Instant clock = Instant.parse("2026-05-01T00:00:00Z");
            try (PreparedStatement task =
                            connection.prepareStatement("INSERT INTO agent_task_queue VALUES (?, ?, ?, ?, ?)");
                    PreparedStatement message = connection.prepareStatement(
                            "INSERT INTO task_message VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                while (written < rows) {
                    String taskId = new UUID(seed, tasks).toString();
                    task.setString(1, taskId);
                    task.setString(2, "workspace-" + (tasks % 78));
                    task.setString(3, "conversation-" + (tasks / 3));
                    task.setString(4, tasks % 10 == 0 ? "running" : "completed");
                    task.setString(5, SQLITE_TIME.format(clock));
                    task.executeUpdate();
                    int length = (int) Math.min(generator.taskLength(), rows - written);
                    for (int seq = 1; seq <= length; seq++) {
                        NewMessage m = generator.message(seq);
                        clock = clock.plusMillis(700);
                        message.setString(1, new UUID(seed + tasks, seq).toString());
                        message.setString(2, taskId);
                        message.setLong(3, seq);
                        message.setString(4, m.type());
                        message.setString(5, m.tool());
                        message.setString(6, m.callId());
                        message.setString(7, m.content());
                        message.setString(8, m.input().orElse(null));
                        message.setString(9, m.output());
                        message.setString(10, SQLITE_TIME.format(clock));
                        message.executeUpdate();
                        written++;
                    }
                    tasks++;
                    if (tasks % 200 == 0) {
                        connection.commit();
                    }
                }
            }
            connection.commit();
            connection.setAutoCommit(true);
            try (Statement ddl = connection.createStatement()) {
                ddl.execute("CREATE INDEX idx_task_message_task_seq ON task_message(task_id, seq)");
                ddl.execute("CREATE INDEX idx_task_message_task_created ON task_message(task_id, created_at)");
            }
            return tasks;
        } catch (SQLException e) {
            throw new IllegalStateException("writing the legacy database failed: " + e.getMessage(), e);
        }
    }
}
