package dev.strata.server.migrate;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Builds legacy databases in the original single-table layout, with every quirk the importer
 * must survive: duplicate (task_id, seq) rows, NULL, empty, non-object and non-JSON inputs,
 * rows whose task is missing, empty strings, dropped types, and one very long task.
 */
final class LegacyFixture implements AutoCloseable {
    final String url;
    private final Connection connection;
    private final boolean sqlite;
    private long clock = 0;

    LegacyFixture(String url, String schema) throws SQLException {
        this.url = url;
        this.sqlite = url.startsWith("jdbc:sqlite:");
        this.connection = DriverManager.getConnection(url);
        try (Statement ddl = connection.createStatement()) {
            if (sqlite) {
                // The fixture only builds the file; durability of its own commits would only slow it down.
                ddl.execute("PRAGMA synchronous = OFF");
            }
            if (!sqlite && schema != null) {
                ddl.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                ddl.execute("SET search_path TO " + schema);
            }
            ddl.execute(
                    "CREATE TABLE agent_task_queue (id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, conversation_id TEXT,"
                            + " status TEXT NOT NULL, created_at TEXT NOT NULL)");
            ddl.execute(
                    "CREATE TABLE task_message (id TEXT PRIMARY KEY, task_id TEXT NOT NULL, seq INTEGER NOT NULL,"
                            + " type TEXT NOT NULL DEFAULT '', tool TEXT NOT NULL DEFAULT '', call_id TEXT NOT NULL DEFAULT '',"
                            + " content TEXT NOT NULL DEFAULT '', input TEXT, output TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL)");
            ddl.execute("CREATE INDEX idx_task_message_task_seq ON task_message(task_id, seq)");
            ddl.execute("CREATE INDEX idx_task_message_task_created ON task_message(task_id, created_at)");
        }
    }

    void task(String id, String workspace, String conversation, String status) throws SQLException {
        try (PreparedStatement insert =
                connection.prepareStatement("INSERT INTO agent_task_queue VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, id);
            insert.setString(2, workspace);
            insert.setString(3, conversation);
            insert.setString(4, status);
            insert.setString(5, "2026-05-01 10:00:00");
            insert.executeUpdate();
        }
    }

    void message(String id, String task, long seq, String type, String content, String input) throws SQLException {
        clock++;
        message(
                id,
                task,
                seq,
                type,
                content,
                input,
                String.format("2026-05-01 10:%02d:%02d", (clock / 60) % 60, clock % 60));
    }

    /** One row with a given {@code created_at}, for fixtures where insertion order and time order differ. */
    void message(String id, String task, long seq, String type, String content, String input, String createdAt)
            throws SQLException {
        try (PreparedStatement insert =
                connection.prepareStatement("INSERT INTO task_message VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, id);
            insert.setString(2, task);
            insert.setLong(3, seq);
            insert.setString(4, type);
            insert.setString(5, type.equals("tool-use") ? "Read" : "");
            insert.setString(6, type.startsWith("tool") ? "call-" + seq : "");
            insert.setString(7, content);
            insert.setString(8, input);
            insert.setString(9, type.equals("tool-result") ? "output of " + seq : "");
            insert.setString(10, createdAt);
            insert.executeUpdate();
        }
    }

    /** Many plain messages in one transaction. */
    void messages(String task, long fromSeq, int count, String prefix) throws SQLException {
        connection.setAutoCommit(false);
        for (int i = 0; i < count; i++) {
            message(
                    prefix + "-" + task + "-" + (fromSeq + i),
                    task,
                    fromSeq + i,
                    i % 3 == 0 ? "tool-use" : i % 3 == 1 ? "tool-result" : "text",
                    "step " + (fromSeq + i) + " of " + task,
                    i % 3 == 0 ? "{\"n\":" + i + "}" : null);
        }
        connection.commit();
        connection.setAutoCommit(true);
    }

    /** The standard fixture: three tasks with every quirk, one task of {@code longTask} messages. */
    LegacyFixture standard(int longTask) throws SQLException {
        task("t-quirks", "ws-1", "conv-1", "completed");
        message("m1", "t-quirks", 1, "text", "first write wins", null);
        message("m1-dup", "t-quirks", 1, "text", "a later duplicate", null);
        message(
                "m2",
                "t-quirks",
                2,
                "tool-use",
                "",
                "{\"path\":\"/a\",\"big\":123456789012345678901234567890,\"d\":1.50}");
        message("m3", "t-quirks", 3, "tool-use", "", "");
        message("m4", "t-quirks", 4, "tool-use", "", "[1,2]");
        message("m5", "t-quirks", 5, "tool-use", "", "not json at all");
        message("m6", "t-quirks", 6, "log", "dropped", null);
        message("m7", "t-quirks", 7, "status", "dropped", null);
        message("m8", "t-quirks", 8, "", "", null);
        message("m9", "t-quirks", 9, "tool-result", "", null);
        task("t-running", "ws-2", null, "running");
        messages("t-running", 1, 30, "r");
        // Rows whose task is not in agent_task_queue.
        messages("t-orphan", 1, 5, "o");
        if (longTask > 0) {
            task("t-long", "ws-1", "conv-1", "completed");
            messages("t-long", 1, longTask, "l");
        }
        return this;
    }

    Connection connection() {
        return connection;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
