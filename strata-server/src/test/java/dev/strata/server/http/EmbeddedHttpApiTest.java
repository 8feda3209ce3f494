package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.LocalDirectoryContentTier;
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

    @Override
    protected ListableContent contentListing() {
        return new LocalDirectoryContentTier(directory.resolve("objects"));
    }

    @Test
    void readiness_is503WhileTheContentDirectoryIsUnusable_andTheRefusedAppendChangesNothing() throws IOException {
        String task = newTask();
        assertThat(append(task, batch(1, 2)).status())
                .as("append before the outage")
                .isEqualTo(200);
        StoredState before = stored();
        Path objects = directory.resolve("objects");
        Path aside = directory.resolve("objects-aside");
        Files.move(objects, aside);
        Files.writeString(objects, "not a directory");
        try {
            var response = api.get("/readyz").send();
            assertThat(response.status()).isEqualTo(503);
            assertThat(response.json().get("content").asText()).isEqualTo("down");
            assertThat(response.json().get("metadata").asText()).isEqualTo("up");

            var append = append(task, batch(3, 4));
            assertThat(append.status()).as("append during the outage").isEqualTo(503);
            assertThat(append.error()).as("append during the outage").startsWith("service unavailable");
        } finally {
            Files.delete(objects);
            Files.move(aside, objects);
        }
        assertThat(api.get("/readyz").send().status()).isEqualTo(200);
        assertThat(before.changesTo(stored()))
                .as("the append refused with 503 changed what is stored")
                .isEmpty();
        assertThat(seqs(read(task, "?exclude_types=")))
                .as("messages after the outage")
                .containsExactly(1L, 2L);
        var retried = append(task, batch(3, 4));
        assertThat(retried.status())
                .as("the same append retried after the outage")
                .isEqualTo(200);
        assertThat(retried.json().get("accepted").asInt())
                .as("accepted by the retried append")
                .isEqualTo(2);
    }
}
