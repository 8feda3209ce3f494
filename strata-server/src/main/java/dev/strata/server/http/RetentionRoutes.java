package dev.strata.server.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.server.config.ConfigException;
import dev.strata.server.config.Durations;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.WorkspaceDirectory;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A workspace's retention of inactive tasks, for its owners: {@code GET} and {@code PUT
 * /api/admin/retention} with {@code {"retention": "30d" | "off" | null}} (null: follow
 * {@code STRATA_RETENTION}), the same setting as {@code admin set-retention}.
 */
final class RetentionRoutes {
    private final Access access;
    private final WorkspaceDirectory directory;
    private final long maxBodyBytes;
    private final boolean allowShort;

    /** @param allowShort whether retentions under an hour are accepted ({@code STRATA_RETENTION_ALLOW_SHORT}) */
    RetentionRoutes(Access access, WorkspaceDirectory directory, long maxBodyBytes, boolean allowShort) {
        this.access = requireNonNull(access, "access is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.maxBodyBytes = maxBodyBytes;
        this.allowShort = allowShort;
    }

    void register(RoutesConfig routes) {
        routes.get("/api/admin/retention", this::get);
        routes.put("/api/admin/retention", this::put);
    }

    private void get(Context ctx) {
        String workspaceId = access.ownedWorkspace(ctx);
        respond(ctx, workspaceId, directory.retentions().getOrDefault(workspaceId, Optional.empty()));
    }

    private void put(Context ctx) {
        String workspaceId = access.ownedWorkspace(ctx);
        JsonNode root = Json.parse(Bodies.read(ctx, maxBodyBytes));
        if (!root.isObject() || !root.has("retention")) {
            throw new ApiException.BadRequest("retention is required (a duration such as 30d, \"off\" or null)");
        }
        JsonNode value = root.get("retention");
        Optional<String> retention;
        if (value.isNull()) {
            retention = Optional.empty();
        } else if (value.isTextual() && value.textValue().equals("off")) {
            retention = Optional.of("off");
        } else if (value.isTextual()) {
            try {
                StrataConfig.requireLongEnough(
                        "retention", value.textValue(), Durations.parse("retention", value.textValue()), allowShort);
            } catch (ConfigException e) {
                throw new ApiException.BadRequest(e.getMessage());
            }
            retention = Optional.of(value.textValue().trim());
        } else {
            throw new ApiException.BadRequest("retention must be a duration such as 30d, \"off\" or null");
        }
        directory.setRetention(workspaceId, retention);
        respond(ctx, workspaceId, retention);
    }

    private static void respond(Context ctx, String workspaceId, Optional<String> retention) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("workspace_id", workspaceId);
        body.put("retention", retention.orElse(null));
        Responses.json(ctx, 200, body);
    }
}
