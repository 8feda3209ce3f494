package dev.strata.server.http;

import static java.util.Objects.requireNonNull;

import dev.strata.server.auth.Principal;
import dev.strata.server.stats.StorageReport;
import dev.strata.server.stats.StorageStatistics;
import dev.strata.server.workspace.Membership;
import dev.strata.server.workspace.Role;
import dev.strata.server.workspace.WorkspaceDirectory;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What the web inspector needs beyond the task API: the caller's workspaces (a user token names
 * no workspace, so the page asks which ones it may pick) and, for owners, the storage figures.
 */
final class WorkspaceRoutes {
    private final Access access;
    private final WorkspaceDirectory directory;
    private final StorageStatistics statistics;

    WorkspaceRoutes(Access access, WorkspaceDirectory directory, StorageStatistics statistics) {
        this.access = requireNonNull(access, "access is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.statistics = requireNonNull(statistics, "statistics is null");
    }

    void register(RoutesConfig routes) {
        routes.get("/api/workspaces", this::workspaces);
        routes.get("/api/admin/stats", this::stats);
    }

    private void workspaces(Context ctx) {
        Principal.User user = access.user(ctx);
        List<Map<String, Object>> workspaces = directory.membershipsOf(user.userId()).stream()
                .map(WorkspaceRoutes::membershipJson)
                .toList();
        Responses.json(ctx, 200, Map.of("workspaces", workspaces));
    }

    private void stats(Context ctx) {
        String workspaceId = access.workspace(ctx);
        // Asked afresh, not from the membership cache: a demoted owner loses the page at once.
        if (directory.role(workspaceId, access.user(ctx).userId()).orElse(Role.MEMBER) != Role.OWNER) {
            throw new ApiException.Forbidden("this endpoint needs the owner role");
        }
        StorageReport report = statistics.report(workspaceId);
        StorageReport.Store store = report.store();
        Map<String, Object> storeJson = usageJson(store.usage());
        storeJson.put("metadata_bytes", store.metadataBytes());
        storeJson.put("compression_ratio", ratio(store.compressionRatio()));
        storeJson.put("compression_sampled_segments", store.sampledSegments());
        storeJson.put("cache_hit_ratio", ratio(store.cacheHitRatio()));
        storeJson.put("pending_deletions", store.pendingDeletions());
        storeJson.put("overdue_deletions", store.overdueDeletions());
        storeJson.put("compaction_backlog", store.compactionBacklog());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("workspace_id", workspaceId);
        body.put("workspace", usageJson(report.workspace()));
        body.put("store", storeJson);
        Responses.json(ctx, 200, body);
    }

    private static Map<String, Object> membershipJson(Membership membership) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", membership.workspace().id());
        json.put("name", membership.workspace().name());
        json.put("role", membership.role().wireName());
        json.put("created_at", MessageJson.timestamp(membership.workspace().createdAt()));
        return json;
    }

    private static Map<String, Object> usageJson(StorageReport.Usage usage) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tasks", usage.tasks());
        json.put("messages", usage.messages());
        json.put("content_objects", usage.contentObjects());
        json.put("content_bytes", usage.contentBytes());
        return json;
    }

    /** Rounded to three decimals; null when there is nothing to divide. */
    private static Double ratio(OptionalDouble ratio) {
        return ratio.isPresent() ? Math.round(ratio.getAsDouble() * 1000) / 1000.0 : null;
    }
}
