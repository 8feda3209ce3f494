package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Odd requests that once got a 5xx, a wrong status or used up a ticket: each test pins what the
 * README promises for one of them. Each test works in a workspace of its own; subclasses choose the
 * metadata database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractApiEdgeCaseHttpTest {
    @TempDir
    static Path directory;

    Strata strata;
    ApiClient api;

    /** The STRATA_DB_URL of this class's metadata database. */
    protected abstract String databaseUrl();

    protected void cleanUp() {}

    /** A workspace with an owner, the owner's user token and a machine token. */
    record Space(String id, String userToken, String machineToken) {}

    @BeforeAll
    void start() {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "STRATA_DB_URL", databaseUrl(),
                "STRATA_CONTENT_URL", "file:" + directory.resolve("objects"),
                "STRATA_CACHE_URL", "memory",
                "STRATA_PORT", "0",
                "STRATA_HOST", "127.0.0.1",
                "STRATA_STREAM_HEARTBEAT", "1s"));
        strata = Strata.open(StrataConfig.fromEnvironment(env)).serve();
        api = new ApiClient(strata.port());
    }

    @AfterAll
    void stop() {
        strata.close();
        cleanUp();
    }

    /**
     * A type filter is free text from the query string; with a NUL inside it (after trimming) the
     * SQLite metadata answers 200 [] but PostgreSQL fails the query and the client gets 503
     * "a storage backend is not answering": a 5xx for bad input, which a retrying client (the Java
     * client retries 503) would repeat for ten minutes.
     */
    @Test
    void typeFilterWithNul_isNever5xx() {
        Space space = newSpace();
        String task = createTask(space);
        var append = api.post("/api/daemon/tasks/" + task + "/messages", AbstractHttpApiTest.batch(1, 4))
                .token(space.machineToken())
                .send();
        assertThat(append.status()).isEqualTo(200);
        for (String query : List.of("?types=a%00b", "?exclude_types=a%00b", "?tail=2&types=text,a%00b")) {
            var user = api.get("/api/tasks/" + task + "/messages" + query)
                    .token(space.userToken())
                    .workspace(space.id())
                    .send();
            assertThat(user.status())
                    .as("GET /api/tasks/{id}/messages%s: %s", query, user.text())
                    .isLessThan(500);
            var daemon = api.get("/api/daemon/tasks/" + task + "/messages" + query)
                    .token(space.machineToken())
                    .send();
            assertThat(daemon.status())
                    .as("GET /api/daemon/tasks/{id}/messages%s: %s", query, daemon.text())
                    .isLessThan(500);
        }
    }

    /** The same NUL in the live tail's type filter, which reads its backlog with the same query. */
    @Test
    void streamTypeFilterWithNul_isNever5xx() throws Exception {
        Space space = newSpace();
        String task = createTask(space);
        api.post("/api/daemon/tasks/" + task + "/messages", AbstractHttpApiTest.batch(1, 4))
                .token(space.machineToken())
                .send();
        api.post("/api/daemon/tasks/" + task + "/complete", "{}")
                .token(space.machineToken())
                .send();
        try (SseClient stream = SseClient.open(
                strata.port(),
                "/api/tasks/" + task + "/messages/stream?types=a%00b",
                Map.of("Authorization", "Bearer " + space.userToken(), "X-Workspace-ID", space.id()))) {
            assertThat(stream.status)
                    .as("stream with a NUL in types: %s", stream.errorBody)
                    .isLessThan(500);
            if (stream.status >= 400) {
                return; // refused up front: no stream to end
            }
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .until(stream::ended);
            assertThat(stream.events())
                    .as("events of a stream on an ended task with a NUL in types")
                    .anySatisfy(e -> assertThat(e.name()).isEqualTo("end"));
        }
    }

    /**
     * {@code limit} is "1 to 200 (default 50; anything else is a 400)", and seqs are integers;
     * Java's {@code Integer.parseInt}/{@code Long.parseLong} also take non-ASCII digits, so
     * {@code limit=٥} (ARABIC-INDIC DIGIT FIVE) and {@code since=５} (FULLWIDTH DIGIT FIVE) are
     * read as 5 instead of refused.
     */
    @Test
    void nonAsciiDigits_inNumericParameters_are400() {
        Space space = newSpace();
        String task = createTask(space);
        api.post("/api/daemon/tasks/" + task + "/messages", AbstractHttpApiTest.batch(1, 8))
                .token(space.machineToken())
                .send();
        var list = api.get("/api/tasks?limit=%D9%A5")
                .token(space.userToken())
                .workspace(space.id())
                .send();
        assertThat(list.status())
                .as("GET /api/tasks?limit=\u0665: %s", list.text())
                .isEqualTo(400);
        var conversations = api.get("/api/conversations?limit=%EF%BC%95")
                .token(space.userToken())
                .workspace(space.id())
                .send();
        assertThat(conversations.status())
                .as("GET /api/conversations?limit=\uff15: %s", conversations.text())
                .isEqualTo(400);
        for (String query : List.of("?since=%EF%BC%95", "?limit=%D9%A5", "?tail=%D9%A5", "?before=%D9%A5")) {
            var read = api.get("/api/tasks/" + task + "/messages" + query)
                    .token(space.userToken())
                    .workspace(space.id())
                    .send();
            assertThat(read.status())
                    .as("GET /api/tasks/{id}/messages%s: %s", query, read.text())
                    .isEqualTo(400);
        }
    }

    /**
     * {@code STRATA_RETENTION} refuses anything under an hour ("a shorter one deletes tasks that
     * merely paused") unless {@code STRATA_RETENTION_ALLOW_SHORT=true}; the per-workspace setting
     * over HTTP takes {@code 0d} or {@code 1ms}, which makes the next retention pass delete every
     * task of the workspace whose daemon is merely between two appends. Refused now, as the
     * command line's {@code admin set-retention} refuses it.
     */
    @Test
    void retentionUnderAnHour_isRefusedLikeStrataRetention() {
        Space space = newSpace();
        for (String retention : List.of("0d", "1ms", "59m")) {
            var put = api.put("/api/admin/retention", "{\"retention\":\"" + retention + "\"}")
                    .token(space.userToken())
                    .workspace(space.id())
                    .send();
            assertThat(put.status())
                    .as("PUT /api/admin/retention %s: %s", retention, put.text())
                    .isEqualTo(400);
            assertThat(put.json().get("error").asText())
                    .isEqualTo("retention must be at least 1h (or off), got '" + retention
                            + "'; set STRATA_RETENTION_ALLOW_SHORT=true to allow it");
        }
        var get = api.get("/api/admin/retention")
                .token(space.userToken())
                .workspace(space.id())
                .send();
        assertThat(get.json().get("retention").isNull())
                .as("retention after refused PUTs: %s", get.text())
                .isTrue();
        var hour = api.put("/api/admin/retention", "{\"retention\":\"1h\"}")
                .token(space.userToken())
                .workspace(space.id())
                .send();
        assertThat(hour.status()).as("PUT 1h: %s", hour.text()).isEqualTo(200);
    }

    /**
     * A conversation cursor is base64 of the workspace, a time and the last id, checked only for
     * the workspace: an id with a NUL in it goes to the database as is, and PostgreSQL answers
     * 503 "a storage backend is not answering" for what is a malformed cursor (400 "invalid cursor");
     * SQLite answers an empty page.
     */
    @Test
    void conversationCursorWithNul_isNever5xx() {
        Space space = newSpace();
        String forged = java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(("c1\n" + space.id() + "\n1700000000000\na\u0000b")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        var response = api.get("/api/conversations?cursor=" + forged)
                .token(space.userToken())
                .workspace(space.id())
                .send();
        assertThat(response.status())
                .as("GET /api/conversations with a forged cursor: %s", response.text())
                .isLessThan(500);
    }

    /**
     * "A 4xx never changes anything", but a stream ticket is redeemed (used up) before the
     * request is checked: a stream refused with 400 (bad {@code since}) or 404 (unknown task)
     * costs the browser its single-use ticket, and the retry with a good request gets 401.
     */
    @Test
    void streamRefusedWith4xx_doesNotUseUpItsTicket() throws Exception {
        Space space = newSpace();
        String task = createTask(space);
        api.post("/api/daemon/tasks/" + task + "/complete", "{}")
                .token(space.machineToken())
                .send();
        for (String refused : List.of(
                "/api/tasks/" + task + "/messages/stream?since=x&ticket=",
                "/api/tasks/no-such-task/messages/stream?ticket=")) {
            var issued = api.post("/api/stream-tickets", "")
                    .token(space.userToken())
                    .workspace(space.id())
                    .send();
            assertThat(issued.status()).isEqualTo(200);
            String ticket = issued.json().get("ticket").asText();
            try (SseClient bad = SseClient.open(strata.port(), refused + ticket, Map.of())) {
                assertThat(bad.status).as("%s: %s", refused, bad.errorBody).isBetween(400, 404);
            }
            try (SseClient retry = SseClient.open(
                    strata.port(), "/api/tasks/" + task + "/messages/stream?ticket=" + ticket, Map.of())) {
                assertThat(retry.status)
                        .as("the same ticket after %s was refused: %s", refused, retry.errorBody)
                        .isEqualTo(200);
            }
        }
    }

    /**
     * Tickets are looked up first and redeemed only once the stream registers: eight opens racing
     * with one ticket must still get exactly one stream, the others 401.
     */
    @Test
    void oneTicketRacedByEightOpens_opensExactlyOneStream() throws Exception {
        Space space = newSpace();
        String task = createTask(space);
        var issued = api.post("/api/stream-tickets", "")
                .token(space.userToken())
                .workspace(space.id())
                .send();
        String ticket = issued.json().get("ticket").asText();
        String path = "/api/tasks/" + task + "/messages/stream?ticket=" + ticket;
        CountDownLatch start = new CountDownLatch(1);
        List<SseClient> clients = Collections.synchronizedList(new ArrayList<>());
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                statuses.add(threads.submit(() -> {
                    start.await();
                    SseClient client = SseClient.open(strata.port(), path, Map.of());
                    clients.add(client);
                    return client.status;
                }));
            }
            start.countDown();
            List<Integer> answers = new ArrayList<>();
            for (var status : statuses) {
                answers.add(status.get(30, TimeUnit.SECONDS));
            }
            assertThat(answers).as("answers to eight opens with one ticket").containsOnly(200, 401);
            assertThat(answers).filteredOn(status -> status == 200).hasSize(1);
        } finally {
            for (SseClient client : clients) {
                client.close();
            }
        }
    }

    Space newSpace() {
        String workspace = strata.directory().createWorkspace("w").id();
        String user = strata.directory()
                .createUser(UUID.randomUUID() + "@example.com", "U")
                .id();
        strata.directory().addMember(workspace, user, Role.OWNER);
        return new Space(
                workspace,
                strata.tokens().createUserToken(user),
                strata.tokens().createMachineToken(user, workspace));
    }

    String createTask(Space space) {
        var response = api.post("/api/tasks", "{}")
                .token(space.userToken())
                .workspace(space.id())
                .send();
        assertThat(response.status()).as("POST /api/tasks: %s", response.text()).isEqualTo(201);
        return response.json().get("id").asText();
    }
}
