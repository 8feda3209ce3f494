package dev.strata.server.auth;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.strata.model.InvalidInputException;
import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Issues, lists, revokes and checks bearer tokens. Tokens are 32 random bytes, shown once; only
 * their SHA-256 is stored, with an id derived from it ({@code tok_} and its first 16 hex digits)
 * that names the token everywhere else. Lookups are cached for {@code recheckAfter}, which bounds
 * how long a revoked token keeps working (a few seconds by default); expiry is checked on every
 * request against the clock, so an expired token stops at once. Uses are recorded by
 * {@link LastUsed}, at most once a minute per token. Thread-safe.
 */
public final class TokenService {
    public static final String MACHINE_PREFIX = "al_";
    public static final String USER_PREFIX = "ut_";
    public static final String ID_PREFIX = "tok_";
    /** How stale a token's recorded last use may be: the price of not writing on every request. */
    public static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);

    private static final String COLUMNS =
            "id, kind, user_id, workspace_id, created_at, last_used_at, expires_at, revoked_at";

    private final Database database;
    private final WorkspaceDirectory directory;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Cache<String, Optional<TokenInfo>> recent;
    private final LastUsed lastUsed;

    public TokenService(Database database, WorkspaceDirectory directory, Clock clock, Duration recheckAfter) {
        this.database = requireNonNull(database, "database is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.recent = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(recheckAfter)
                .build();
        this.lastUsed = new LastUsed(database, clock, LAST_USED_PRECISION);
    }

    /**
     * @param validFor how long the token works, or empty for no expiry
     * @return a new user token for {@code userId}
     */
    public String createUserToken(String userId, Optional<Duration> validFor) {
        if (directory.user(userId).isEmpty()) {
            throw new InvalidInputException("user not found: " + userId);
        }
        return insert(USER_PREFIX, userId, null, validFor);
    }

    /** @return a new user token for {@code userId} that never expires */
    public String createUserToken(String userId) {
        return createUserToken(userId, Optional.empty());
    }

    /**
     * @param validFor how long the token works, or empty for no expiry
     * @return a new machine token acting in {@code workspaceId} on behalf of {@code userId}
     */
    public String createMachineToken(String userId, String workspaceId, Optional<Duration> validFor) {
        if (directory.user(userId).isEmpty()) {
            throw new InvalidInputException("user not found: " + userId);
        }
        if (directory.workspace(workspaceId).isEmpty()) {
            throw new InvalidInputException("workspace not found: " + workspaceId);
        }
        if (!directory.isMember(workspaceId, userId)) {
            throw new InvalidInputException("user " + userId + " is not a member of workspace " + workspaceId);
        }
        return insert(MACHINE_PREFIX, userId, workspaceId, validFor);
    }

    /** @return a new machine token that never expires */
    public String createMachineToken(String userId, String workspaceId) {
        return createMachineToken(userId, workspaceId, Optional.empty());
    }

    /** @return true when the token existed and was not revoked before */
    public boolean revoke(String token) {
        return revokeWhere("token_hash", hash(token));
    }

    /** @return true when a token with this id existed and was not revoked before */
    public boolean revokeById(String tokenId) {
        return revokeWhere("id", tokenId);
    }

    /** @return the token's id (what {@link #revokeById} and {@link #list} use); computed, not looked up */
    public static String id(String token) {
        return idOfHash(hash(token));
    }

    /** Every token (of {@code userId} only, when given), revoked ones included, oldest first. */
    public List<TokenInfo> list(Optional<String> userId) {
        return database.read("token store list", h -> {
            var query = h.createQuery("SELECT " + COLUMNS + " FROM access_token"
                    + (userId.isPresent() ? " WHERE user_id = :user" : "")
                    + " ORDER BY created_at, id");
            userId.ifPresent(user -> query.bind("user", user));
            return query.map((rs, ctx) -> info(rs)).list();
        });
    }

    /** @return who the token acts as, or empty when it is unknown, revoked or expired */
    public Optional<Principal> authenticate(String token) {
        if (!token.startsWith(MACHINE_PREFIX) && !token.startsWith(USER_PREFIX)) {
            return Optional.empty();
        }
        Optional<TokenInfo> info = current(hash(token));
        info.ifPresent(i -> lastUsed.used(i.id()));
        return info.map(i -> i.workspaceId().isPresent()
                ? new Principal.Machine(i.id(), i.userId(), i.workspaceId().get())
                : new Principal.User(i.id(), i.userId()));
    }

    /** @return true when the token with this SHA-256 (as {@code StreamTickets.hash} gives it) exists, unrevoked and unexpired */
    public boolean isActive(String tokenHash) {
        return current(tokenHash).isPresent();
    }

    private Optional<TokenInfo> current(String hash) {
        Instant now = clock.instant();
        return recent.get(hash, this::lookup).filter(info -> info.state(now).equals("active"));
    }

    private Optional<TokenInfo> lookup(String hash) {
        return database.read(
                "token store lookup",
                h -> h.createQuery("SELECT " + COLUMNS + " FROM access_token WHERE token_hash = :hash"
                                + " AND revoked_at IS NULL")
                        .bind("hash", hash)
                        .map((rs, ctx) -> info(rs))
                        .findOne());
    }

    private boolean revokeWhere(String column, String value) {
        Optional<String> revokedHash = database.write("token store revoke", h -> {
            Optional<String> tokenHash = h.createQuery(
                            "SELECT token_hash FROM access_token WHERE " + column + " = :value AND revoked_at IS NULL")
                    .bind("value", value)
                    .mapTo(String.class)
                    .findOne();
            tokenHash.ifPresent(
                    found -> h.createUpdate("UPDATE access_token SET revoked_at = :at WHERE token_hash = :hash")
                            .bind("at", clock.millis())
                            .bind("hash", found)
                            .execute());
            return tokenHash;
        });
        revokedHash.ifPresent(found -> {
            recent.invalidate(found);
            lastUsed.forget(idOfHash(found));
        });
        return revokedHash.isPresent();
    }

    private String insert(String prefix, String userId, String workspaceId, Optional<Duration> validFor) {
        validFor.ifPresent(duration -> {
            if (duration.isNegative() || duration.isZero()) {
                throw new InvalidInputException("a token's validity must be positive, got " + duration);
            }
        });
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        String tokenHash = hash(token);
        long now = clock.millis();
        database.write(
                "token store insert",
                h -> h.createUpdate(
                                "INSERT INTO access_token (token_hash, id, kind, user_id, workspace_id, created_at, expires_at)"
                                        + " VALUES (:hash, :id, :kind, :user, :workspace, :at, :expires)")
                        .bind("hash", tokenHash)
                        .bind("id", idOfHash(tokenHash))
                        .bind("kind", workspaceId == null ? "user" : "machine")
                        .bind("user", userId)
                        .bind("workspace", workspaceId)
                        .bind("at", now)
                        .bind("expires", validFor.map(d -> now + d.toMillis()).orElse(null))
                        .execute());
        return token;
    }

    private static TokenInfo info(ResultSet rs) throws SQLException {
        return new TokenInfo(
                rs.getString("id"),
                rs.getString("kind"),
                rs.getString("user_id"),
                Optional.ofNullable(rs.getString("workspace_id")),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                instant(rs, "last_used_at"),
                instant(rs, "expires_at"),
                instant(rs, "revoked_at"));
    }

    private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }

    private static String idOfHash(String tokenHash) {
        return ID_PREFIX + tokenHash.substring(0, 16);
    }

    static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
