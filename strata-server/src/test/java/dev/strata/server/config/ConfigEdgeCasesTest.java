package dev.strata.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Values that parse but make no sense, and variables nobody reads, are reported naming the variable. */
class ConfigEdgeCasesTest {
    private static final List<String> DURATIONS = List.of(
            "STRATA_DELETION_INTERVAL",
            "STRATA_COMPACTION_INTERVAL",
            "STRATA_COMPACTION_GRACE",
            "STRATA_ORPHAN_INTERVAL",
            "STRATA_ORPHAN_GRACE",
            "STRATA_RETENTION_INTERVAL",
            "STRATA_STREAM_HEARTBEAT",
            "STRATA_STREAM_CATCH_UP",
            "STRATA_CACHE_TTL",
            "STRATA_CACHE_TIMEOUT",
            "STRATA_S3_TIMEOUT",
            "STRATA_BODY_TIMEOUT",
            "STRATA_RETENTION");

    private static void assertRefused(Map<String, String> env, String message) {
        assertThatThrownBy(() -> StrataConfig.fromEnvironment(env))
                .as(env.toString())
                .isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }

    @Test
    void zeroDurations_areRefused_namingTheVariable() {
        for (String name : DURATIONS) {
            assertRefused(Map.of(name, "0s"), name + " must be longer than 0, got '0s'");
            assertRefused(
                    Map.of(name, "0ms", "STRATA_RETENTION_ALLOW_SHORT", "true"),
                    name + " must be longer than 0, got '0ms'");
        }
    }

    @Test
    void negativeDurations_areRefused_namingTheVariable() {
        for (String name : DURATIONS) {
            assertRefused(Map.of(name, "-5s"), name + " must not be negative, got '-5s'");
        }
    }

    @Test
    void durationsTooLargeToSchedule_areRefused_insteadOfOverflowing() {
        assertRefused(
                Map.of("STRATA_ORPHAN_INTERVAL", "99999999999999999999d"),
                "STRATA_ORPHAN_INTERVAL must be at most 3650d, got '99999999999999999999d'");
        assertRefused(
                Map.of("STRATA_COMPACTION_INTERVAL", "3651d"),
                "STRATA_COMPACTION_INTERVAL must be at most 3650d, got '3651d'");
        assertThat(StrataConfig.fromEnvironment(Map.of("STRATA_RETENTION", "3650d"))
                        .lifecycle()
                        .retention())
                .contains(Duration.ofDays(3650));
    }

    @Test
    void retentionUnderAnHour_isRefused_unlessShortRetentionIsAllowed() {
        assertRefused(
                Map.of("STRATA_RETENTION", "59m"),
                "STRATA_RETENTION must be at least 1h (or off), got '59m';"
                        + " set STRATA_RETENTION_ALLOW_SHORT=true to allow it");

        assertThat(StrataConfig.fromEnvironment(
                                Map.of("STRATA_RETENTION", "59m", "STRATA_RETENTION_ALLOW_SHORT", "true"))
                        .lifecycle()
                        .retention())
                .contains(Duration.ofMinutes(59));
        assertThat(StrataConfig.fromEnvironment(Map.of("STRATA_RETENTION", "1h"))
                        .lifecycle()
                        .retention())
                .contains(Duration.ofHours(1));
        assertThat(StrataConfig.fromEnvironment(Map.of("STRATA_RETENTION", "off"))
                        .lifecycle()
                        .retention())
                .isEqualTo(Optional.empty());
        assertRefused(
                Map.of("STRATA_RETENTION_ALLOW_SHORT", "maybe"),
                "STRATA_RETENTION_ALLOW_SHORT must be true or false, got 'maybe'");
    }

    @Test
    void unknownStrataVariables_areNamed_withTheClosestKnownOne() {
        List<String> warnings = UnknownVariables.warnings(Map.of(
                "STRATA_RETENTON", "7d",
                "STRATA_DB_URLL", "jdbc:sqlite:x.db",
                "STRATA_PORT", "8080",
                "STRATA_LOG_FORMAT", "json",
                "HOME", "/root"));

        assertThat(warnings)
                .containsExactly(
                        "unknown variable STRATA_DB_URLL is ignored; did you mean STRATA_DB_URL?",
                        "unknown variable STRATA_RETENTON is ignored; did you mean STRATA_RETENTION?");
    }

    @Test
    void everyVariableTheConfigurationReads_isKnown() {
        assertThat(UnknownVariables.known())
                .contains("STRATA_DB_URL", "STRATA_RETENTION_ALLOW_SHORT", "STRATA_S3_SECRET_ACCESS_KEY")
                .contains("STRATA_LOG_LEVEL", "STRATA_LOG_FORMAT");
        assertThat(UnknownVariables.warnings(Map.of("STRATA_S3_PATH_STYLE", "true")))
                .isEmpty();
    }

    @Test
    void distance_countsSingleCharacterEdits() {
        assertThat(UnknownVariables.distance("STRATA_PORT", "STRATA_PORT")).isZero();
        assertThat(UnknownVariables.distance("STRATA_PROT", "STRATA_PORT")).isEqualTo(2);
        assertThat(UnknownVariables.distance("", "abc")).isEqualTo(3);
        assertThat(UnknownVariables.distance("kitten", "sitting")).isEqualTo(3);
    }
}
