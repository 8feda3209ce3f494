package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API on the embedded defaults: SQLite file, local directory, in-process cache. */
class EmbeddedHttpApiTest extends AbstractHttpApiTest {
    @TempDir
    static Path directory;

    @Override
    protected Map<String, String> backendEnvironment() {
        return Map.of(
                "STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve("strata.db"),
                "STRATA_CONTENT_URL", "file:" + directory.resolve("objects"),
                "STRATA_CACHE_URL", "memory");
    }

    @Test
    void readiness_is503WhileTheContentDirectoryIsUnusable() throws IOException {
        Path objects = directory.resolve("objects");
        Path aside = directory.resolve("objects-aside");
        Files.move(objects, aside);
        Files.writeString(objects, "not a directory");
        try {
            var response = api.get("/readyz").send();
            assertThat(response.status()).isEqualTo(503);
            assertThat(response.json().get("content").asText()).isEqualTo("down");
            assertThat(response.json().get("metadata").asText()).isEqualTo("up");

            String task = newTask();
            var append = append(task, batch(1, 2));
            assertThat(append.status()).isEqualTo(503);
            assertThat(append.error()).startsWith("service unavailable");
        } finally {
            Files.delete(objects);
            Files.move(aside, objects);
        }
        assertThat(api.get("/readyz").send().status()).isEqualTo(200);
    }
}
