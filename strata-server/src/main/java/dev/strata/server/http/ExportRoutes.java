package dev.strata.server.http;

import static java.util.Objects.requireNonNull;

import dev.strata.server.export.ExportWriter;
import dev.strata.server.export.TaskExporter;
import dev.strata.server.workspace.Task;
import dev.strata.server.workspace.WorkspaceDirectory;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/tasks/{id}/export}: the task and all its messages (every type) as the export
 * format's JSON lines ({@code application/x-ndjson}), streamed a store page at a time, ending with
 * the {@code {"end":...}} line; a response without it was cut short. Readable by every member.
 */
final class ExportRoutes {
    private static final Logger log = LoggerFactory.getLogger(ExportRoutes.class);

    private final Access access;
    private final WorkspaceDirectory directory;
    private final TaskExporter exporter;

    ExportRoutes(Access access, WorkspaceDirectory directory, TaskExporter exporter) {
        this.access = requireNonNull(access, "access is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.exporter = requireNonNull(exporter, "exporter is null");
    }

    void register(RoutesConfig routes) {
        routes.get("/api/tasks/{id}/export", this::export);
    }

    private void export(Context ctx) {
        String workspaceId = access.workspace(ctx);
        Task task = Ids.requireTask(directory, workspaceId, ctx.pathParam("id"));
        ctx.status(200).contentType("application/x-ndjson");
        try {
            OutputStream out = ctx.outputStream();
            ExportWriter writer = new ExportWriter(out);
            if (!exporter.exportTask(task, Optional.empty(), writer, count -> {})) {
                throw new ApiException.NotFound("task not found");
            }
            writer.end();
            out.flush();
        } catch (UncheckedIOException | IOException e) {
            // The client went away mid-response: nothing can be sent any more, and nothing failed here.
            log.debug("export of task {} not completed: {}", task.id(), e.toString());
        }
    }
}
