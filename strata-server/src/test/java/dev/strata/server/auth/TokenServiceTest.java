package dev.strata.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.InvalidInputException;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import dev.strata.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token ids, expiry, listing and the throttled record of last use, on a clock the test moves. */
class TokenServiceTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path directory;

    Strata strata;
    MutableClock clock = new MutableClock(START);
    TokenService tokens;
    String user;
    String workspace;

    @BeforeEach
    void open() {
        strata = Strata.open(StrataConfig.fromEnvironment(Map.of(
                "STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve("strata.db"),
                "STRATA_CONTENT_URL", "file:" + directory.resolve("objects"))));
        // No reuse of lookups, so every call below reads what the database holds.
        tokens = new TokenService(strata.database(), strata.directory(), clock, Duration.ZERO);
        user = strata.directory().createUser("ann@example.com", "Ann").id();
        workspace = strata.directory().createWorkspace("w").id();
        strata.directory().addMember(workspace, user, Role.MEMBER);
    }

    @AfterEach
    void close() {
        strata.close();
    }

    @Test
    void aTokenExpires_exactlyWhenItsValidityEnds() {
        String token = tokens.createUserToken(user, Optional.of(Duration.ofDays(30)));
        clock.advance(Duration.ofDays(30).minusMillis(1));
        assertThat(tokens.authenticate(token)).isPresent();
        clock.advance(Duration.ofMillis(1));
        assertThat(tokens.authenticate(token)).isEmpty();
        assertThat(tokens.isActive(TokenService.hash(token))).isFalse();
        assertThat(tokens.list(Optional.of(user)).get(0).state(clock.instant())).isEqualTo("expired");
    }

    @Test
    void lastUse_isWrittenAtMostOnceAMinutePerToken() {
        String token = tokens.createMachineToken(user, workspace, Optional.empty());
        assertThat(info(token).lastUsedAt()).isEmpty();

        tokens.authenticate(token);
        assertThat(info(token).lastUsedAt()).contains(START);
        clock.advance(Duration.ofSeconds(59));
        tokens.authenticate(token);
        tokens.authenticate(token);
        assertThat(info(token).lastUsedAt()).as("no write within the minute").contains(START);
        clock.advance(Duration.ofSeconds(1));
        tokens.authenticate(token);
        assertThat(info(token).lastUsedAt()).contains(START.plusSeconds(60));
    }

    @Test
    void principals_carryTheTokenId_neverTheSecret() {
        String token = tokens.createMachineToken(user, workspace, Optional.empty());
        Principal principal = tokens.authenticate(token).orElseThrow();
        assertThat(principal.tokenId()).isEqualTo(TokenService.id(token)).matches("tok_[0-9a-f]{16}");
        assertThat(principal.toString()).doesNotContain(token.substring(3));
        assertThat(principal).isEqualTo(new Principal.Machine(TokenService.id(token), user, workspace));
    }

    @Test
    void list_showsEveryTokenOfTheUser_andRevokeById_endsOneOfThem() {
        String other = strata.directory().createUser("bo@example.com", "Bo").id();
        String first = tokens.createUserToken(user);
        // Listed by creation time, then id: tokens of one instant came in random (id) order.
        clock.advance(Duration.ofSeconds(1));
        Instant secondAt = clock.instant();
        String second = tokens.createMachineToken(user, workspace, Optional.of(Duration.ofHours(12)));
        tokens.createUserToken(other);

        var listed = tokens.list(Optional.of(user));
        assertThat(listed).extracting(TokenInfo::id).containsExactly(TokenService.id(first), TokenService.id(second));
        assertThat(listed.get(1).kind()).isEqualTo("machine");
        assertThat(listed.get(1).workspaceId()).contains(workspace);
        assertThat(listed.get(1).expiresAt()).contains(secondAt.plus(Duration.ofHours(12)));
        assertThat(listed.get(0).expiresAt()).isEmpty();
        assertThat(tokens.list(Optional.empty())).hasSize(3);

        assertThat(tokens.revokeById(TokenService.id(second))).isTrue();
        assertThat(tokens.revokeById(TokenService.id(second))).isFalse();
        assertThat(tokens.revokeById("tok_nothing")).isFalse();
        assertThat(tokens.authenticate(second)).isEmpty();
        assertThat(tokens.authenticate(first)).isPresent();
        assertThat(tokens.list(Optional.of(user)).get(1).state(clock.instant())).isEqualTo("revoked");
    }

    @Test
    void aValidityThatIsNotPositive_isRefused() {
        assertThatThrownBy(() -> tokens.createUserToken(user, Optional.of(Duration.ZERO)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("a token's validity must be positive, got PT0S");
    }

    private TokenInfo info(String token) {
        return tokens.list(Optional.of(user)).stream()
                .filter(i -> i.id().equals(TokenService.id(token)))
                .findFirst()
                .orElseThrow();
    }
}
