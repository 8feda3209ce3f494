package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.stream.StreamTickets;
import dev.strata.server.workspace.Role;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The live tail on one instance with the embedded backends (SQLite, local directory, in-process cache). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedLiveTailTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    static Path directory;

    Strata strata;
    ApiClient api;
    String workspace;
    String otherWorkspace;
    String user;
    String userToken;
    String machineToken;
    String outsiderToken;
    final List<SseClient> clients = new ArrayList<>();

    @BeforeAll
    void start() {
        Map<String, String> env = new HashMap<>();
        env.put("STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve("strata.db"));
        env.put("STRATA_CONTENT_URL", "file:" + directory.resolve("objects"));
        env.put("STRATA_CACHE_URL", "memory");
        env.put("STRATA_PORT", "0");
        env.put("STRATA_HOST", "127.0.0.1");
        env.put("STRATA_STREAM_HEARTBEAT", "1s");
        env.put("STRATA_STREAM_MAX_PER_TOKEN", "3");
        strata = Strata.open(StrataConfig.fromEnvironment(env)).serve();
        api = new ApiClient(strata.port());
        var dir = strata.directory();
        workspace = dir.createWorkspace("main").id();
        otherWorkspace = dir.createWorkspace("other").id();
        user = dir.createUser("owner@example.com", "Owner").id();
        String outsider = dir.createUser("outsider@example.com", "Outsider").id();
        dir.addMember(workspace, user, Role.OWNER);
        dir.addMember(otherWorkspace, outsider, Role.MEMBER);
        userToken = strata.tokens().createUserToken(user);
        machineToken = strata.tokens().createMachineToken(user, workspace);
        outsiderToken = strata.tokens().createUserToken(outsider);
    }

    @AfterAll
    void stop() {
        clients.forEach(SseClient::close);
        strata.close();
    }

    String newTask() {
        var response = api.post("/api/tasks", "{}")
                .token(userToken)
                .workspace(workspace)
                .send();
        assertThat(response.status()).as("create task").isEqualTo(201);
        return response.json().get("id").asText();
    }

    void append(String task, String body) {
        var response = api.post("/api/daemon/tasks/" + task + "/messages", body)
                .token(machineToken)
                .send();
        assertThat(response.status())
                .as("append to %s: %s", task, response.text())
                .isEqualTo(200);
    }

    /** Opens a task stream with a token of its own (the instance allows only 3 streams per token). */
    SseClient stream(String task, String query, Map<String, String> extraHeaders) {
        String token = strata.tokens().createUserToken(user);
        Map<String, String> headers =
                new HashMap<>(Map.of("Authorization", "Bearer " + token, "X-Workspace-ID", workspace));
        headers.putAll(extraHeaders);
        return track(SseClient.open(strata.port(), "/api/tasks/" + task + "/messages/stream" + query, headers));
    }

    SseClient track(SseClient client) {
        clients.add(client);
        return client;
    }

    static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    /** Seqs of a batch built by {@link AbstractHttpApiTest#batch} that reads show by default (no tool-result). */
    static List<Long> shownByDefault(long from, long to) {
        return LongStream.rangeClosed(from, to)
                .filter(seq -> seq % 4 != 1)
                .boxed()
                .toList();
    }

    @Test
    void stream_sendsTheBacklogThenEachNewMessage_inTheListShape() {
        String task = newTask();
        append(task, AbstractHttpApiTest.batch(1, 6));
        SseClient client = stream(task, "", Map.of());
        assertThat(client.status).as("stream status").isEqualTo(200);
        assertThat(client.contentType).as("content type").startsWith("text/event-stream");
        await().atMost(PATIENCE)
                .untilAsserted(() -> assertThat(client.seqs()).as("backlog").isEqualTo(shownByDefault(1, 6)));

        append(task, AbstractHttpApiTest.batch(7, 12));
        await().atMost(PATIENCE)
                .untilAsserted(
                        () -> assertThat(client.seqs()).as("backlog then live").isEqualTo(shownByDefault(1, 12)));

        JsonNode listed = api.get("/api/tasks/" + task + "/messages")
                .token(userToken)
                .workspace(workspace)
                .send()
                .json();
        List<JsonNode> streamed =
                client.messages().stream().map(SseClient.Event::json).toList();
        assertThat(streamed)
                .as("each event's data is one item of GET /messages")
                .containsExactlyElementsOf(listed);
        assertThat(client.retries()).as("retry sent once at the start").containsExactly("2000");
        assertThat(client.messages())
                .as("every message has a cursor id")
                .allSatisfy(e -> assertThat(e.id()).isNotBlank());
        await().atMost(PATIENCE)
                .untilAsserted(() ->
                        assertThat(client.comments()).as("keepalive while idle").isPositive());
        assertThat(client.ended()).as("an open task's stream stays open").isFalse();
    }

    @Test
    void stream_appliesSinceAndTypeFilters_likeTheListEndpoint() {
        String task = newTask();
        append(task, AbstractHttpApiTest.batch(1, 8));
        SseClient since = stream(task, "?since=4", Map.of());
        SseClient onlyResults = stream(task, "?types=tool-result", Map.of());
        SseClient everything = stream(task, "?exclude_types=", Map.of());
        append(task, AbstractHttpApiTest.batch(9, 10));

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(since.seqs()).as("since=4").isEqualTo(shownByDefault(5, 10));
            assertThat(onlyResults.seqs()).as("types=tool-result").containsExactly(1L, 5L, 9L);
            assertThat(everything.seqs())
                    .as("exclude_types= (nothing excluded)")
                    .isEqualTo(range(1, 10));
        });
        since.close();
        onlyResults.close();
        everything.close();
    }

    @Test
    void stream_endsWithCompleted_afterEveryMessageCommittedBeforeCompletion() {
        String task = newTask();
        append(task, AbstractHttpApiTest.batch(1, 4));
        SseClient client = stream(task, "?exclude_types=", Map.of());
        append(task, AbstractHttpApiTest.batch(5, 8));
        assertThat(api.post("/api/daemon/tasks/" + task + "/complete", "{}")
                        .token(machineToken)
                        .send()
                        .status())
                .isEqualTo(200);

        await().atMost(PATIENCE).until(client::ended);
        List<SseClient.Event> events = client.events();
        assertThat(client.seqs()).as("every message before the end").isEqualTo(range(1, 8));
        assertThat(events.get(events.size() - 1).name()).as("last event").isEqualTo("end");
        assertThat(events.get(events.size() - 1).data()).isEqualTo("{\"status\":\"completed\"}");

        SseClient late = stream(task, "?since=6&exclude_types=", Map.of());
        await().atMost(PATIENCE).until(late::ended);
        assertThat(late.seqs()).as("a stream opened on an ended task: backlog").containsExactly(7L, 8L);
        assertThat(late.events().get(late.events().size() - 1).data())
                .as("then end")
                .isEqualTo("{\"status\":\"completed\"}");
    }

    @Test
    void stream_endsWithFailed_whenTheTaskFails() {
        String task = newTask();
        SseClient client = stream(task, "", Map.of());
        append(task, AbstractHttpApiTest.batch(2, 3));
        assertThat(api.post("/api/daemon/tasks/" + task + "/fail", "{\"error\":\"boom\"}")
                        .token(machineToken)
                        .send()
                        .status())
                .isEqualTo(200);

        await().atMost(PATIENCE).until(client::ended);
        assertThat(client.seqs()).containsExactly(2L, 3L);
        assertThat(client.events().get(client.events().size() - 1).data()).isEqualTo("{\"status\":\"failed\"}");
    }

    @Test
    void stream_endsWithDeleted_whenTheTaskIsDeleted() {
        String task = newTask();
        append(task, AbstractHttpApiTest.batch(2, 3));
        SseClient client = stream(task, "", Map.of());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.seqs()).containsExactly(2L, 3L));
        assertThat(api.delete("/api/tasks/" + task)
                        .token(userToken)
                        .workspace(workspace)
                        .send()
                        .status())
                .isEqualTo(200);

        await().atMost(PATIENCE).until(client::ended);
        SseClient.Event last = client.events().get(client.events().size() - 1);
        assertThat(last.name()).isEqualTo("end");
        assertThat(last.data()).isEqualTo("{\"status\":\"deleted\"}");
    }

    @Test
    void stream_refusesBadRequestsWithTheUsualJsonErrors() {
        String task = newTask();
        int port = strata.port();
        String path = "/api/tasks/" + task + "/messages/stream";

        SseClient anonymous = track(SseClient.open(port, path, Map.of("X-Workspace-ID", workspace)));
        assertThat(anonymous.status).as("no token").isEqualTo(401);
        SseClient machine = track(SseClient.open(port, path, Map.of("Authorization", "Bearer " + machineToken)));
        assertThat(machine.status).as("machine token").isEqualTo(403);
        assertThat(machine.error()).isEqualTo("this endpoint needs a user token");
        SseClient foreignWorkspace = track(SseClient.open(
                port, path, Map.of("Authorization", "Bearer " + outsiderToken, "X-Workspace-ID", otherWorkspace)));
        assertThat(foreignWorkspace.status).as("task of another workspace").isEqualTo(404);
        assertThat(foreignWorkspace.error()).isEqualTo("task not found");
        SseClient notMember = track(SseClient.open(
                port, path, Map.of("Authorization", "Bearer " + outsiderToken, "X-Workspace-ID", workspace)));
        assertThat(notMember.status)
                .as("workspace the caller is not a member of")
                .isEqualTo(404);
        assertThat(notMember.error()).isEqualTo("task not found");
        SseClient badSince = stream(task, "?since=abc", Map.of());
        assertThat(badSince.status).as("since=abc").isEqualTo(400);
        assertThat(badSince.error()).isEqualTo("invalid since parameter");
        SseClient badCursor = stream(task, "", Map.of("Last-Event-ID", "not-a-cursor"));
        assertThat(badCursor.status).as("Last-Event-ID not sent by this server").isEqualTo(400);
        assertThat(badCursor.error()).isEqualTo("invalid Last-Event-ID");

        var ticketByMachine =
                api.post("/api/stream-tickets", "").token(machineToken).send();
        assertThat(ticketByMachine.status()).as("ticket for a machine token").isEqualTo(403);
        assertThat(ticketByMachine.error()).isEqualTo("this endpoint needs a user token");
    }

    @Test
    void ticket_issuedBeforeItsTokenWasRevoked_opensNoStream() {
        String task = newTask();
        String token = strata.tokens().createUserToken(user);
        String ticket = api.post("/api/stream-tickets", "")
                .token(token)
                .workspace(workspace)
                .send()
                .json()
                .get("ticket")
                .asText();
        strata.tokens().revoke(token);
        SseClient afterRevoke = track(
                SseClient.open(strata.port(), "/api/tasks/" + task + "/messages/stream?ticket=" + ticket, Map.of()));
        assertThat(afterRevoke.status)
                .as("stream with a ticket of a revoked token")
                .isEqualTo(401);
    }

    @Test
    void openStreams_endOnceTheirTokenIsRevokedOrTheirUserLeavesTheWorkspace() {
        String task = newTask();
        String revoked = strata.tokens().createUserToken(user);
        SseClient byRevokedToken = track(SseClient.open(
                strata.port(),
                "/api/tasks/" + task + "/messages/stream",
                Map.of("Authorization", "Bearer " + revoked, "X-Workspace-ID", workspace)));
        var dir = strata.directory();
        String leaver =
                dir.createUser("leaver-" + task + "@example.com", "Leaver").id();
        dir.addMember(workspace, leaver, Role.MEMBER);
        SseClient byLeaver = track(SseClient.open(
                strata.port(),
                "/api/stream",
                Map.of(
                        "Authorization",
                        "Bearer " + strata.tokens().createUserToken(leaver),
                        "X-Workspace-ID",
                        workspace)));
        assertThat(byRevokedToken.status)
                .as("task stream before the revocation")
                .isEqualTo(200);
        assertThat(byLeaver.status).as("workspace stream before leaving").isEqualTo(200);

        strata.tokens().revoke(revoked);
        dir.removeMember(workspace, leaver);

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(byRevokedToken.ended())
                    .as("task stream of a revoked token ended")
                    .isTrue();
            assertThat(byLeaver.ended())
                    .as("workspace stream of a user who left ended")
                    .isTrue();
        });
    }

    @Test
    void ticket_opensOneStreamWithoutHeaders_onceAndOnlyBeforeItExpires() {
        String task = newTask();
        append(task, AbstractHttpApiTest.batch(2, 3));
        var issued = api.post("/api/stream-tickets", "")
                .token(userToken)
                .workspace(workspace)
                .send();
        assertThat(issued.status()).as("issue ticket").isEqualTo(200);
        String ticket = issued.json().get("ticket").asText();
        assertThat(issued.json().get("expires_at").asText()).as("expires_at").endsWith("Z");
        String path = "/api/tasks/" + task + "/messages/stream?ticket=" + ticket;

        SseClient first = track(SseClient.open(strata.port(), path, Map.of()));
        assertThat(first.status).as("first use").isEqualTo(200);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(first.seqs()).containsExactly(2L, 3L));
        SseClient reused = track(SseClient.open(strata.port(), path, Map.of()));
        assertThat(reused.status).as("reused ticket").isEqualTo(401);
        assertThat(reused.error()).isEqualTo("invalid or expired ticket");

        String expired = "st_expired" + System.nanoTime();
        strata.database()
                .jdbi()
                .useHandle(
                        handle -> handle.createUpdate("INSERT INTO stream_ticket (ticket_hash, user_id, workspace_id,"
                                        + " owner_hash, expires_at) VALUES (:hash, :user, :workspace, 'x', :at)")
                                .bind("hash", StreamTickets.hash(expired))
                                .bind("user", user)
                                .bind("workspace", workspace)
                                .bind("at", System.currentTimeMillis() - 1)
                                .execute());
        SseClient late = track(SseClient.open(strata.port(), "/api/stream?ticket=" + expired, Map.of()));
        assertThat(late.status).as("expired ticket").isEqualTo(401);
        assertThat(late.error()).isEqualTo("invalid or expired ticket");
        first.close();
    }

    @Test
    void streamsPerToken_beyondTheLimit_are429() {
        String token = strata.tokens().createUserToken(user);
        String task = newTask();
        Map<String, String> headers = Map.of("Authorization", "Bearer " + token, "X-Workspace-ID", workspace);
        List<SseClient> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            open.add(track(SseClient.open(strata.port(), "/api/tasks/" + task + "/messages/stream", headers)));
        }
        assertThat(open)
                .as("streams within the limit of 3")
                .allSatisfy(c -> assertThat(c.status).isEqualTo(200));
        SseClient fourth = track(SseClient.open(strata.port(), "/api/stream", headers));
        assertThat(fourth.status).as("fourth stream of one token").isEqualTo(429);
        assertThat(fourth.error()).isEqualTo("too many streams");
        String ticket = api.post("/api/stream-tickets", "")
                .token(token)
                .workspace(workspace)
                .send()
                .json()
                .get("ticket")
                .asText();
        SseClient byTicket = track(SseClient.open(strata.port(), "/api/stream?ticket=" + ticket, Map.of()));
        assertThat(byTicket.status)
                .as("a ticket counts against the token that asked for it")
                .isEqualTo(429);
        assertThat(stream(task, "", Map.of()).status)
                .as("another token is not affected")
                .isEqualTo(200);

        open.get(0).close();
        // The server notices the closed connection at its next write (a keepalive at the latest).
        await().atMost(PATIENCE).untilAsserted(() -> {
            SseClient again = track(SseClient.open(strata.port(), "/api/stream", headers));
            again.close();
            assertThat(again.status).as("after one stream closed").isEqualTo(200);
        });
        open.forEach(SseClient::close);
    }

    @Test
    void slowReaderThatNeverReads_doesNotHoldBackAppendsOrOtherStreams() throws Exception {
        String task = newTask();
        try (Socket stalled = new Socket("127.0.0.1", strata.port())) {
            stalled.setReceiveBufferSize(4096);
            OutputStream out = stalled.getOutputStream();
            out.write(("GET /api/tasks/" + task
                            + "/messages/stream?exclude_types= HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                            + userToken + "\r\nX-Workspace-ID: " + workspace + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            SseClient reader = stream(task, "?exclude_types=", Map.of());
            String big = "x".repeat(60_000);
            int batches = 60;
            for (int i = 0; i < batches; i++) {
                // Far more than the socket buffers hold: the stalled stream's writes block, appends must not.
                append(task, "{\"messages\":[{\"seq\":" + i + ",\"type\":\"text\",\"content\":\"" + big + "\"}]}");
            }
            await().atMost(PATIENCE)
                    .untilAsserted(() -> assertThat(reader.seqs())
                            .as("the reading stream got everything")
                            .isEqualTo(range(0, batches - 1)));
            reader.close();
        }
    }

    @Test
    void concurrentWritersCommittingOutOfOrder_andAReconnect_deliverEachMessageExactlyOnce() throws Exception {
        String task = newTask();
        append(task, AbstractHttpApiTest.batch(1000, 1009));
        SseClient first = stream(task, "?exclude_types=", Map.of());
        SseClient aboveFloor = stream(task, "?since=500&exclude_types=", Map.of());
        List<Integer> starts = new ArrayList<>();
        for (int start = 0; start < 1000; start += 10) {
            starts.add(start);
        }
        Collections.shuffle(starts);
        ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>(starts);
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        List<SseClient.Event> beforeReconnect = new ArrayList<>();
        SseClient second;
        try {
            for (int i = 0; i < 4; i++) {
                done.add(writers.submit(() -> {
                    for (Integer start = queue.poll(); start != null; start = queue.poll()) {
                        append(task, AbstractHttpApiTest.batch(start, start + 9));
                    }
                }));
            }
            await().atMost(PATIENCE).until(() -> first.messages().size() >= 200);
            beforeReconnect.addAll(first.messages());
            first.close();
            second = stream(
                    task,
                    "?exclude_types=",
                    Map.of(
                            "Last-Event-ID",
                            beforeReconnect.get(beforeReconnect.size() - 1).id()));
            for (Future<?> writer : done) {
                writer.get();
            }
        } finally {
            writers.shutdown();
        }
        await().atMost(PATIENCE)
                .untilAsserted(() -> assertThat(
                                beforeReconnect.size() + second.messages().size())
                        .as("events before and after the reconnect")
                        .isGreaterThanOrEqualTo(1010));
        List<Long> delivered = new ArrayList<>();
        beforeReconnect.forEach(e -> delivered.add(e.seq()));
        delivered.addAll(second.seqs());
        assertThat(new HashSet<>(delivered)).as("no gap").isEqualTo(new HashSet<>(range(0, 1009)));
        assertThat(delivered).as("no duplicate").hasSize(1010);

        await().atMost(PATIENCE)
                .untilAsserted(() -> assertThat(aboveFloor.messages().size()).isGreaterThanOrEqualTo(509));
        Set<Long> above = new HashSet<>(aboveFloor.seqs());
        assertThat(above)
                .as("since=500: late commits at or below 500 are never sent")
                .isEqualTo(new HashSet<>(range(501, 1009)));
        assertThat(aboveFloor.seqs()).as("no duplicate above the floor").hasSize(509);
        second.close();
        aboveFloor.close();
    }

    @Test
    void reconnect_fromTheMiddleOfTheBacklog_resumesRightAfterIt_withAppendsDuringTheGap() {
        String task = newTask();
        append(task, AbstractHttpApiTest.batch(21, 40));
        append(task, AbstractHttpApiTest.batch(1, 20));
        SseClient first = stream(task, "?since=5&exclude_types=", Map.of());
        await().atMost(PATIENCE)
                .untilAsserted(() ->
                        assertThat(first.seqs()).as("backlog in seq order").isEqualTo(range(6, 40)));
        SseClient.Event tenth = first.messages().get(9);
        first.close();
        append(task, AbstractHttpApiTest.batch(41, 45));
        append(task, AbstractHttpApiTest.batch(0, 5));

        SseClient resumed = stream(task, "?since=0&exclude_types=", Map.of("Last-Event-ID", tenth.id()));
        await().atMost(PATIENCE)
                .untilAsserted(() -> assertThat(resumed.seqs())
                        .as(
                                "the rest of the backlog, then what came during the gap; never at or below the first since=5")
                        .isEqualTo(java.util.stream.Stream.concat(range(16, 40).stream(), range(41, 45).stream())
                                .toList()));
        resumed.close();
    }

    @Test
    void workspaceStream_sendsTaskCreationAppendsAndStatusChanges() {
        SseClient activity = track(SseClient.open(
                strata.port(),
                "/api/stream",
                Map.of(
                        "Authorization",
                        "Bearer " + strata.tokens().createUserToken(user),
                        "X-Workspace-ID",
                        workspace)));
        assertThat(activity.status).isEqualTo(200);
        String task = newTask();
        await().atMost(PATIENCE)
                .untilAsserted(() -> assertThat(taskEvents(activity, task))
                        .as("creation")
                        .anySatisfy(e -> assertThat(e.get("status").asText()).isEqualTo("queued")));
        append(task, AbstractHttpApiTest.batch(1, 3));
        await().atMost(PATIENCE)
                .untilAsserted(() -> assertThat(taskEvents(activity, task))
                        .as("append")
                        .anySatisfy(e -> {
                            assertThat(e.get("message_count").asLong()).isEqualTo(3);
                            assertThat(e.get("last_message_at").asText()).endsWith("Z");
                        }));
        api.post("/api/daemon/tasks/" + task + "/complete", "{}")
                .token(machineToken)
                .send();
        await().atMost(PATIENCE)
                .untilAsserted(() -> assertThat(taskEvents(activity, task))
                        .as("status change")
                        .anySatisfy(e -> assertThat(e.get("status").asText()).isEqualTo("completed")));
        activity.close();
    }

    @Test
    void workspaceStream_neverShowsTasksOfAnotherWorkspace() {
        SseClient outsiders = track(SseClient.open(
                strata.port(),
                "/api/stream",
                Map.of("Authorization", "Bearer " + outsiderToken, "X-Workspace-ID", otherWorkspace)));
        assertThat(outsiders.status).isEqualTo(200);
        String hidden = newTask();
        append(hidden, AbstractHttpApiTest.batch(1, 3));
        api.post("/api/daemon/tasks/" + hidden + "/complete", "{}")
                .token(machineToken)
                .send();
        var own = api.post("/api/tasks", "{}")
                .token(outsiderToken)
                .workspace(otherWorkspace)
                .send();
        assertThat(own.status())
                .as("outsider creates a task in its own workspace")
                .isEqualTo(201);
        String visible = own.json().get("id").asText();

        // The outsider's own task shows up, so the feed is live; the other workspace's task, created,
        // appended to and completed before it, never does.
        await().atMost(PATIENCE)
                .untilAsserted(() -> assertThat(taskEvents(outsiders, visible))
                        .as("own task")
                        .isNotEmpty());
        assertThat(outsiders.events())
                .as("events on the outsider's workspace feed")
                .filteredOn(e -> e.name().equals("task"))
                .allSatisfy(e -> assertThat(e.json().get("id").asText())
                        .as("task id in a foreign feed")
                        .isNotEqualTo(hidden));
        outsiders.close();
    }

    private static List<JsonNode> taskEvents(SseClient client, String task) {
        return client.events().stream()
                .filter(e -> e.name().equals("task"))
                .map(SseClient.Event::json)
                .filter(json -> json.get("id").asText().equals(task))
                .toList();
    }

    @Test
    void metrics_showOpenStreamsEventsAndDelay() {
        String task = newTask();
        SseClient client = stream(task, "", Map.of());
        append(task, AbstractHttpApiTest.batch(2, 2));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.seqs()).containsExactly(2L));
        String metrics = api.get("/metrics").send().text();
        assertThat(metrics)
                .contains("strata_stream_open ")
                .contains("strata_stream_events_total")
                .contains("strata_stream_delay_seconds_bucket");
        client.close();
    }
}
