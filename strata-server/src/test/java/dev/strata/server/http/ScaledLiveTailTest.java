package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import dev.strata.testing.RedisKeys;
import dev.strata.testing.S3ProxyServer;
import dev.strata.testing.TestServices;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live tail across instances on the scale-out backends (PostgreSQL, S3 via S3Proxy, Redis):
 * daemons append on one instance while watchers stream from another, as behind a load balancer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScaledLiveTailTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    static Path directory;

    private S3ProxyServer s3;
    private String schema;
    private String prefix;
    private Map<String, String> environment;
    private Strata first;
    private Strata second;
    private ApiClient api;
    private String workspace;
    private String user;
    private String machineToken;
    private final List<SseClient> clients = new ArrayList<>();

    @BeforeAll
    void start() {
        s3 = new S3ProxyServer(directory);
        String bucket = s3.createBucket("tail");
        schema = TestServices.uniqueName("tail");
        prefix = TestServices.uniqueName("tail") + ":";
        environment = new HashMap<>(Map.of(
                "STRATA_DB_URL",
                TestServices.postgresUrl(schema),
                "STRATA_CONTENT_URL",
                "s3://" + bucket + "/strata",
                "STRATA_S3_ENDPOINT",
                s3.endpoint(),
                "STRATA_S3_REGION",
                "us-east-1",
                "STRATA_S3_ACCESS_KEY_ID",
                S3ProxyServer.ACCESS_KEY,
                "STRATA_S3_SECRET_ACCESS_KEY",
                S3ProxyServer.SECRET_KEY,
                "STRATA_S3_PATH_STYLE",
                "true",
                "STRATA_CACHE_URL",
                TestServices.REDIS_URL,
                "STRATA_CACHE_PREFIX",
                prefix));
        environment.put("STRATA_PORT", "0");
        environment.put("STRATA_HOST", "127.0.0.1");
        first = instance();
        second = instance();
        api = new ApiClient(first.port());
        workspace = first.directory().createWorkspace("main").id();
        user = first.directory().createUser("owner@example.com", "Owner").id();
        first.directory().addMember(workspace, user, Role.OWNER);
        machineToken = first.tokens().createMachineToken(user, workspace);
    }

    private Strata instance() {
        return Strata.open(StrataConfig.fromEnvironment(environment)).serve();
    }

    @AfterAll
    void stop() {
        clients.forEach(SseClient::close);
        first.close();
        second.close();
        s3.close();
        TestServices.dropSchema(schema);
        RedisKeys.deleteAll(prefix);
    }

    private String newTask() {
        var response = api.post("/api/tasks", "{}")
                .token(first.tokens().createUserToken(user))
                .workspace(workspace)
                .send();
        assertThat(response.status()).as("create task").isEqualTo(201);
        return response.json().get("id").asText();
    }

    private void append(Strata instance, String task, String body) {
        var response = new ApiClient(instance.port())
                .post("/api/daemon/tasks/" + task + "/messages", body)
                .token(machineToken)
                .send();
        assertThat(response.status())
                .as("append to %s: %s", task, response.text())
                .isEqualTo(200);
    }

    private SseClient stream(Strata instance, String task, Map<String, String> extraHeaders) {
        Map<String, String> headers = new HashMap<>(
                Map.of("Authorization", "Bearer " + first.tokens().createUserToken(user), "X-Workspace-ID", workspace));
        headers.putAll(extraHeaders);
        SseClient client =
                SseClient.open(instance.port(), "/api/tasks/" + task + "/messages/stream?exclude_types=", headers);
        clients.add(client);
        assertThat(client.status).as("stream on port %s", instance.port()).isEqualTo(200);
        return client;
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void appendOnOneInstance_isStreamedLiveByAnother() {
        String task = newTask();
        append(first, task, AbstractHttpApiTest.batch(1, 3));
        SseClient watcher = stream(second, task, Map.of());
        await().atMost(PATIENCE)
                .untilAsserted(
                        () -> assertThat(watcher.seqs()).as("backlog on B").isEqualTo(range(1, 3)));
        append(first, task, AbstractHttpApiTest.batch(4, 6));
        await().atMost(PATIENCE)
                .untilAsserted(() -> assertThat(watcher.seqs())
                        .as("live on B, appended on A")
                        .isEqualTo(range(1, 6)));

        assertThat(api.post("/api/daemon/tasks/" + task + "/complete", "{}")
                        .token(machineToken)
                        .send()
                        .status())
                .isEqualTo(200);
        await().atMost(PATIENCE).until(watcher::ended);
        assertThat(watcher.events().get(watcher.events().size() - 1).data()).isEqualTo("{\"status\":\"completed\"}");
    }

    @Test
    void instanceShutDownMidStream_clientResumesOnAnotherWithLastEventId_noGapNoDuplicate() throws Exception {
        String task = newTask();
        Strata doomed = instance();
        List<Integer> starts = new ArrayList<>();
        for (int start = 0; start < 400; start += 10) {
            starts.add(start);
        }
        Collections.shuffle(starts);
        ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>(starts);
        SseClient before = stream(doomed, task, Map.of());
        // Two daemons' overlapping flushes on both remaining instances commit seqs out of order.
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (Strata writer : List.of(first, second, first, second)) {
            writers.add(CompletableFuture.runAsync(() -> {
                for (Integer start = queue.poll(); start != null; start = queue.poll()) {
                    append(writer, task, AbstractHttpApiTest.batch(start, start + 9));
                }
            }));
        }
        await().atMost(PATIENCE).until(() -> before.messages().size() >= 100);
        doomed.close();
        await("the shut-down instance ended the stream").atMost(PATIENCE).until(before::ended);
        List<SseClient.Event> received = before.messages();
        CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get();

        SseClient after = stream(
                second,
                task,
                Map.of("Last-Event-ID", received.get(received.size() - 1).id()));
        await().atMost(PATIENCE)
                .untilAsserted(
                        () -> assertThat(received.size() + after.messages().size())
                                .as("events before the shutdown and after the reconnect")
                                .isGreaterThanOrEqualTo(400));
        List<Long> delivered =
                new ArrayList<>(received.stream().map(SseClient.Event::seq).toList());
        delivered.addAll(after.seqs());
        assertThat(new HashSet<>(delivered)).as("no gap").isEqualTo(new HashSet<>(range(0, 399)));
        assertThat(delivered).as("no duplicate").hasSize(400);
        after.close();
    }

    @Test
    void ticketIssuedByOneInstance_worksOnceOnAnother() {
        String task = newTask();
        append(first, task, AbstractHttpApiTest.batch(2, 3));
        String ticket = api.post("/api/stream-tickets", "")
                .token(first.tokens().createUserToken(user))
                .workspace(workspace)
                .send()
                .json()
                .get("ticket")
                .asText();
        String path = "/api/tasks/" + task + "/messages/stream?ticket=" + ticket;
        SseClient onSecond = SseClient.open(second.port(), path, Map.of());
        clients.add(onSecond);
        assertThat(onSecond.status).as("ticket from A used on B").isEqualTo(200);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(onSecond.seqs()).containsExactly(2L, 3L));
        SseClient again = SseClient.open(first.port(), path, Map.of());
        assertThat(again.status).as("the same ticket again, on A").isEqualTo(401);
        onSecond.close();
    }
}
