package dev.strata.tier.metadata.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JdbcUrlTest {
    @Test
    void parse_decidesTheDialectFromThePrefix() {
        assertThat(JdbcUrl.parse("jdbc:sqlite:data/strata.db"))
                .isEqualTo(new JdbcUrl("jdbc:sqlite:data/strata.db", SqlDialect.SQLITE));
        assertThat(JdbcUrl.parse("jdbc:postgresql://db:5432/strata?currentSchema=s"))
                .isEqualTo(new JdbcUrl("jdbc:postgresql://db:5432/strata?currentSchema=s", SqlDialect.POSTGRESQL));
    }

    @Test
    void parse_rejectsOtherDatabases() {
        assertThatThrownBy(() -> JdbcUrl.parse("jdbc:mysql://x/db"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unsupported database URL (expected jdbc:sqlite:... or jdbc:postgresql:...): jdbc:mysql://x/db");
    }

    @Test
    void constructor_rejectsADialectTheUrlDoesNotName() {
        assertThatThrownBy(() -> new JdbcUrl("jdbc:sqlite:x.db", SqlDialect.POSTGRESQL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a POSTGRESQL URL must start with jdbc:postgresql:, got jdbc:sqlite:x.db");
    }

    @Test
    void databaseSettings_carryTheParsedDialect() {
        DatabaseSettings settings = new DatabaseSettings(
                "jdbc:postgresql://db/strata", Optional.of("strata"), Optional.of("pw"), 3, Duration.ofSeconds(1));

        assertThat(settings.dialect()).isEqualTo(SqlDialect.POSTGRESQL);
        assertThat(settings.url().value()).isEqualTo("jdbc:postgresql://db/strata");
        assertThat(settings.toString()).doesNotContain("pw");
        assertThatThrownBy(() -> DatabaseSettings.of("jdbc:h2:mem:x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:h2:mem:x");
    }
}
