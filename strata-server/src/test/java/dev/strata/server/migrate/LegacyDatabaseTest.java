package dev.strata.server.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.InvalidInputException;
import dev.strata.tier.metadata.jdbc.SqlDialect;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migration source's URL goes through the same parsing as {@code STRATA_DB_URL}. */
class LegacyDatabaseTest {
    @TempDir
    Path directory;

    @Test
    void sqliteUrl_opensASqliteSource() throws Exception {
        Path file = Files.createFile(directory.resolve("legacy.db"));
        try (LegacyDatabase legacy = new LegacyDatabase("jdbc:sqlite:" + file)) {
            assertThat(legacy.dialect()).isEqualTo(SqlDialect.SQLITE);
            assertThat(legacy.hasTaskQueue()).isFalse();
        }
    }

    @Test
    void aMissingSqliteFile_isRefused_andNotCreated() {
        Path missing = directory.resolve("typo.db");
        assertThatThrownBy(() -> new LegacyDatabase("jdbc:sqlite:" + missing))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("--from names no SQLite file: " + missing + " does not exist");
        assertThat(missing).doesNotExist();
    }

    @Test
    void otherUrls_areRejectedNamingTheFlag() {
        for (String url : new String[] {"jdbc:mysql://x/db", "postgresql://db/strata", "legacy.db"}) {
            assertThatThrownBy(() -> new LegacyDatabase(url))
                    .as(url)
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("--from must be a jdbc:sqlite: or jdbc:postgresql: URL, got " + url);
        }
    }
}
