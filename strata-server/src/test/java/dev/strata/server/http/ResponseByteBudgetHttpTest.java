package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, defect 4: eight 25 MB messages that compress to ~3 KB each made {@code GET
 * .../messages?limit=1000} run a 512 MB heap out of memory (an empty 500). Pages are now cut by
 * {@code STRATA_MAX_RESPONSE_BYTES} as they are by {@code limit}, with {@code X-Has-More}, on the
 * user and the daemon route. Scaled down: 200 KB messages against a 500 KB budget.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponseByteBudgetHttpTest {
    private static final int MESSAGE_CHARS = 200_000;

    @TempDir
    static Path directory;

    private EmbeddedServer server;

    @BeforeAll
    void start() {
        server = EmbeddedServer.start(directory, Map.of("STRATA_MAX_RESPONSE_BYTES", "500000"));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void userRead_hugeCompressibleMessages_pagedByTheByteBudget_withHasMore() {
        String task = taskWithHugeMessages();

        List<List<Long>> pages = readAll(since -> server.api()
                .get("/api/tasks/" + task + "/messages?limit=1000&since=" + since)
                .token(server.userToken())
                .workspace(server.workspace())
                .send());

        assertThat(pages)
                .as("pages of GET /api/tasks/{id}/messages")
                .containsExactly(List.of(0L, 1L), List.of(2L, 3L), List.of(4L, 5L));
    }

    @Test
    void daemonRead_hugeCompressibleMessages_pagedByTheByteBudget_withHasMore() {
        String task = taskWithHugeMessages();

        List<List<Long>> pages = readAll(since -> server.api()
                .get("/api/daemon/tasks/" + task + "/messages?limit=1000&since=" + since)
                .token(server.machineToken())
                .send());

        assertThat(pages)
                .as("pages of GET /api/daemon/tasks/{id}/messages")
                .containsExactly(List.of(0L, 1L), List.of(2L, 3L), List.of(4L, 5L));
    }

    /** Read backwards, a page the budget cuts keeps its newest messages: the older ones come with before. */
    @Test
    void userTail_hugeCompressibleMessages_keepsTheNewestWithinTheByteBudget_andPagesBackwards() {
        String task = taskWithHugeMessages();

        List<List<Long>> pages = new ArrayList<>();
        String query = "tail=1000";
        while (query != null) {
            ApiClient.Response response = server.api()
                    .get("/api/tasks/" + task + "/messages?" + query)
                    .token(server.userToken())
                    .workspace(server.workspace())
                    .send();
            assertThat(response.status()).as(query).isEqualTo(200);
            List<Long> seqs = new ArrayList<>();
            for (JsonNode message : response.json()) {
                long seq = message.get("seq").asLong();
                assertThat(message.get("content").asText())
                        .as("content of seq %d", seq)
                        .isEqualTo(String.valueOf((char) ('a' + seq)).repeat(MESSAGE_CHARS));
                seqs.add(seq);
            }
            assertThat(seqs).as("page of %s makes progress", query).isNotEmpty();
            pages.add(seqs);
            query = response.header("X-Has-More").isPresent() ? "before=" + seqs.get(0) : null;
        }

        assertThat(pages)
                .as("pages of GET /api/tasks/{id}/messages read backwards")
                .containsExactly(List.of(4L, 5L), List.of(2L, 3L), List.of(0L, 1L));
    }

    @Test
    void metrics_exportBackgroundFailureCounters() {
        String metrics = server.api().get("/metrics").send().text();

        assertThat(metrics)
                .as("GET /metrics")
                .contains("strata_background_failures_total{job=\"compaction\"}")
                .contains("strata_background_failures_total{job=\"deletion\"}");
    }

    private String taskWithHugeMessages() {
        var created = server.api()
                .post("/api/tasks", "{}")
                .token(server.userToken())
                .workspace(server.workspace())
                .send();
        assertThat(created.status()).as("POST /api/tasks").isEqualTo(201);
        String task = created.json().get("id").asText();
        for (int seq = 0; seq < 6; seq++) {
            String content = String.valueOf((char) ('a' + seq)).repeat(MESSAGE_CHARS);
            var response = server.api()
                    .post(
                            "/api/daemon/tasks/" + task + "/messages",
                            "{\"messages\":[{\"seq\":" + seq + ",\"type\":\"text\",\"content\":\"" + content + "\"}]}")
                    .token(server.machineToken())
                    .send();
            assertThat(response.status()).as("append of seq %d", seq).isEqualTo(200);
        }
        return task;
    }

    /** Pages on with since=last seq while X-Has-More says so, checking every message's content. */
    private static List<List<Long>> readAll(java.util.function.LongFunction<ApiClient.Response> page) {
        List<List<Long>> pages = new ArrayList<>();
        long since = -1;
        Optional<String> more;
        do {
            ApiClient.Response response = page.apply(since);
            assertThat(response.status()).as("page after %d", since).isEqualTo(200);
            List<Long> seqs = new ArrayList<>();
            for (JsonNode message : response.json()) {
                long seq = message.get("seq").asLong();
                assertThat(message.get("content").asText())
                        .as("content of seq %d", seq)
                        .isEqualTo(String.valueOf((char) ('a' + seq)).repeat(MESSAGE_CHARS));
                seqs.add(seq);
            }
            assertThat(seqs).as("page after %d makes progress", since).isNotEmpty();
            pages.add(seqs);
            since = seqs.get(seqs.size() - 1);
            more = response.header("X-Has-More");
        } while (more.isPresent());
        return pages;
    }
}
