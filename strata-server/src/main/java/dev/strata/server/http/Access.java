package dev.strata.server.http;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.strata.server.auth.Principal;
import dev.strata.server.auth.TokenService;
import dev.strata.server.workspace.Role;
import dev.strata.server.workspace.WorkspaceDirectory;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Optional;

/**
 * Who may do what: resolves the bearer token to a principal, the workspace a request acts in and
 * the caller's role there. Membership answers are cached as briefly as token lookups, so a changed
 * role applies within seconds. Thread-safe.
 */
final class Access {
    private static final String BEARER = "Bearer ";

    private final TokenService tokens;
    private final WorkspaceDirectory directory;
    /** The exact error a member gets for what only an owner may do. */
    static final String OWNER_REQUIRED = "this needs the owner role in the workspace";

    private final Cache<String, Optional<Role>> memberships;

    Access(TokenService tokens, WorkspaceDirectory directory, Duration recheckAfter) {
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.memberships = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(recheckAfter)
                .build();
    }

    Principal principal(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw new ApiException.Unauthorized("unauthorized");
        }
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new ApiException.Unauthorized("invalid token");
        }
        String token = header.substring(BEARER.length()).trim();
        Principal principal =
                tokens.authenticate(token).orElseThrow(() -> new ApiException.Unauthorized("invalid token"));
        AccessLog.authenticated(ctx, principal);
        return principal;
    }

    /** @return true when the token with this SHA-256 still works (it is not revoked) */
    boolean tokenActive(String tokenHash) {
        return tokens.isActive(tokenHash);
    }

    /** For daemon endpoints: only machine tokens. */
    Principal.Machine machine(Context ctx) {
        return switch (principal(ctx)) {
            case Principal.Machine machine -> machine;
            case Principal.User user -> throw new ApiException.Forbidden("Forbidden: machine token required");
        };
    }

    /** For user endpoints that act in no particular workspace: only user tokens. */
    Principal.User user(Context ctx) {
        return switch (principal(ctx)) {
            case Principal.Machine machine -> throw new ApiException.Forbidden("this endpoint needs a user token");
            case Principal.User user -> user;
        };
    }

    /**
     * For user endpoints: the workspace the request acts in, checked for membership. Machine
     * tokens are refused: a daemon's token must not read, create or delete what people manage.
     */
    String workspace(Context ctx) {
        return membership(ctx).workspaceId();
    }

    /**
     * For what only a workspace's owners may do (deletes, retention, storage statistics): the
     * workspace, after the same checks as {@link #workspace}.
     *
     * @throws ApiException.Forbidden {@value #OWNER_REQUIRED} when the caller is only a member
     */
    String ownedWorkspace(Context ctx) {
        Membership membership = membership(ctx);
        return switch (membership.role()) {
            case OWNER -> membership.workspaceId();
            case MEMBER -> throw new ApiException.Forbidden(OWNER_REQUIRED);
        };
    }

    /**
     * For a route that has already resolved its workspace (and looked up what it names, so an
     * unknown id stays a 404 for everyone): refuses a caller who is not an owner there.
     *
     * @throws ApiException.Forbidden {@value #OWNER_REQUIRED} when the caller is only a member
     */
    void requireOwner(Context ctx) {
        ownedWorkspace(ctx);
    }

    private record Membership(String workspaceId, Role role) {}

    private Membership membership(Context ctx) {
        return switch (principal(ctx)) {
            case Principal.Machine machine -> throw new ApiException.Forbidden("this endpoint needs a user token");
            case Principal.User user -> {
                String workspaceId = Optional.ofNullable(ctx.header("X-Workspace-ID"))
                        .filter(s -> !s.isBlank())
                        .or(() -> Optional.ofNullable(ctx.queryParam("workspace_id"))
                                .filter(s -> !s.isBlank()))
                        .orElseThrow(() -> new ApiException.BadRequest("workspace_id is required"));
                if (!Ids.plausible(workspaceId)) {
                    throw new ApiException.NotFound("workspace not found");
                }
                Role role = memberships
                        .get(user.userId() + "\u0000" + workspaceId, key -> directory.role(workspaceId, user.userId()))
                        .orElseThrow(() -> new ApiException.NotFound("workspace not found"));
                yield new Membership(workspaceId, role);
            }
        };
    }
}
