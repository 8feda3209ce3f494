package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.tier.content.ContentKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment that metadata names but the content tier lost is a {@code MissingContentException} in
 * the store, no longer a {@code CorruptContentException}; the HTTP answer stays what it was (500,
 * {@code stored content failed verification}). Without a cache, so the read reaches the content tier.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MissingContentHttpTest {
    @TempDir
    static Path directory;

    private EmbeddedServer server;

    @BeforeAll
    void start() {
        server = EmbeddedServer.start(directory, Map.of("STRATA_CACHE_URL", "none"));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void read_ofATaskWhoseSegmentIsGone_answers500StoredContentFailedVerification() throws IOException {
        var created = server.api()
                .post("/api/tasks", "{}")
                .token(server.userToken())
                .workspace(server.workspace())
                .send();
        assertThat(created.status()).as("POST /api/tasks").isEqualTo(201);
        String task = created.json().get("id").asText();
        var appended = server.api()
                .post(
                        "/api/daemon/tasks/" + task + "/messages",
                        "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"content\":\"soon lost\"}]}")
                .token(server.machineToken())
                .send();
        assertThat(appended.status()).as("append").isEqualTo(200);
        Path sharedDirectory = directory.resolve("objects").resolve(ContentKeys.SHARED);
        List<Path> segments;
        try (Stream<Path> files = Files.list(sharedDirectory)) {
            segments = files.toList();
        }
        assertThat(segments).as("segments of the task").hasSize(1);
        Files.delete(segments.get(0));

        var read = server.api()
                .get("/api/tasks/" + task + "/messages")
                .token(server.userToken())
                .workspace(server.workspace())
                .send();

        assertThat(read.status())
                .as("GET messages of a task whose segment is gone")
                .isEqualTo(500);
        assertThat(read.json().get("error").asText()).isEqualTo("stored content failed verification");
    }
}
