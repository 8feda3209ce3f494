package dev.strata.server.migrate;

/**
 * One row of the legacy {@code task_message} table, as stored (nullable where the legacy schema
 * allows it).
 *
 * @param position insertion order: SQLite rowid; on PostgreSQL the row's rank in (created_at, id)
 */
record LegacyRow(
        long position,
        String id,
        String taskId,
        long seq,
        String type,
        String tool,
        String callId,
        String content,
        String input,
        String output,
        String createdAt) {}
