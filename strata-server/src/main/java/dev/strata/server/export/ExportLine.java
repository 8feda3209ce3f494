package dev.strata.server.export;

import dev.strata.model.TaskMessage;

/** One line of an export file (see {@link ExportWriter}). */
public sealed interface ExportLine {
    record TaskLine(ExportedTask task) implements ExportLine {}

    record MessageLine(TaskMessage message) implements ExportLine {}

    record EndLine(long tasks, long messages) implements ExportLine {}
}
