package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import dev.strata.tier.content.LocalDirectoryContentTier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may do what over HTTP: the role matrix (every cell, for an owner and a member), token expiry
 * and revocation by id, and creation under a client-chosen id (repeats, conflicts, races, other
 * workspaces). Subclasses choose the metadata database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractAccessHttpTest {
    @TempDir
    static Path directory;

    Strata strata;
    ApiClient api;
    String workspace;
    String otherWorkspace;
    String ownerId;
    String memberId;
    String ownerToken;
    String memberToken;
    String outsiderToken;
    String machineToken;

    /** The STRATA_DB_URL of this class's metadata database. */
    protected abstract String databaseUrl();

    protected void cleanUp() {}

    @BeforeAll
    void start() {
        Map<String, String> env = new HashMap<>();
        env.put("STRATA_DB_URL", databaseUrl());
        env.put("STRATA_CONTENT_URL", "file:" + directory.resolve("objects"));
        env.put("STRATA_PORT", "0");
        env.put("STRATA_HOST", "127.0.0.1");
        strata = Strata.open(StrataConfig.fromEnvironment(env)).serve();
        api = new ApiClient(strata.port());
        var dir = strata.directory();
        workspace = dir.createWorkspace("main").id();
        otherWorkspace = dir.createWorkspace("other").id();
        ownerId = dir.createUser("owner@example.com", "Owner").id();
        memberId = dir.createUser("member@example.com", "Member").id();
        String outsider = dir.createUser("outsider@example.com", "Outsider").id();
        dir.addMember(workspace, ownerId, Role.OWNER);
        dir.addMember(workspace, memberId, Role.MEMBER);
        dir.addMember(otherWorkspace, outsider, Role.OWNER);
        ownerToken = strata.tokens().createUserToken(ownerId);
        memberToken = strata.tokens().createUserToken(memberId);
        outsiderToken = strata.tokens().createUserToken(outsider);
        machineToken = strata.tokens().createMachineToken(ownerId, workspace);
    }

    @AfterAll
    void stop() {
        strata.close();
        cleanUp();
    }

    // ---- the role matrix

    @Test
    void readingAndCreating_isOpenToOwnersAndMembersAlike() {
        for (String token : List.of(ownerToken, memberToken)) {
            var conversation = api.post("/api/conversations", "{\"title\":\"t\"}")
                    .token(token)
                    .workspace(workspace)
                    .send();
            assertThat(conversation.status()).isEqualTo(201);
            var task = api.post(
                            "/api/tasks",
                            "{\"conversation_id\":\""
                                    + conversation.json().get("id").asText() + "\"}")
                    .token(token)
                    .workspace(workspace)
                    .send();
            assertThat(task.status()).isEqualTo(201);
            String taskId = task.json().get("id").asText();
            assertThat(append(taskId, "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"content\":\"hi\"}]}")
                            .status())
                    .isEqualTo(200);
            assertThat(as(token, api.get("/api/tasks/" + taskId)).send().status())
                    .isEqualTo(200);
            assertThat(as(token, api.get("/api/tasks/" + taskId + "/messages"))
                            .send()
                            .status())
                    .isEqualTo(200);
            assertThat(as(token, api.post("/api/tasks/step-counts", "{\"task_ids\":[\"" + taskId + "\"]}"))
                            .send()
                            .status())
                    .isEqualTo(200);
            assertThat(as(token, api.post("/api/stream-tickets", "")).send().status())
                    .isEqualTo(200);
        }
    }

    @Test
    void memberDeletingATask_is403_andChangesNothing() {
        String task = newTask(ownerToken);
        append(task, "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"content\":\"keep me\"}]}");
        warmUp(memberToken);
        StoredState before = stored();

        var response = as(memberToken, api.delete("/api/tasks/" + task)).send();

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.error()).isEqualTo("this needs the owner role in the workspace");
        assertThat(before.changesTo(stored())).isEmpty();
        assertThat(as(ownerToken, api.get("/api/tasks/" + task))
                        .send()
                        .json()
                        .get("message_count")
                        .asLong())
                .isEqualTo(1);
    }

    @Test
    void memberDeletingAConversation_is403_andChangesNothing() {
        String conversation = as(ownerToken, api.post("/api/conversations", "{}"))
                .send()
                .json()
                .get("id")
                .asText();
        as(ownerToken, api.post("/api/tasks", "{\"conversation_id\":\"" + conversation + "\"}"))
                .send();
        warmUp(memberToken);
        StoredState before = stored();

        var response = as(memberToken, api.delete("/api/conversations/" + conversation))
                .send();

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.error()).isEqualTo("this needs the owner role in the workspace");
        assertThat(before.changesTo(stored())).isEmpty();
    }

    @Test
    void ownerDeletesTasksAndConversations() {
        String task = newTask(ownerToken);
        assertThat(as(ownerToken, api.delete("/api/tasks/" + task)).send().status())
                .isEqualTo(200);
        assertThat(as(ownerToken, api.get("/api/tasks/" + task)).send().status())
                .isEqualTo(404);
        String conversation = as(ownerToken, api.post("/api/conversations", "{}"))
                .send()
                .json()
                .get("id")
                .asText();
        assertThat(as(ownerToken, api.delete("/api/conversations/" + conversation))
                        .send()
                        .status())
                .isEqualTo(200);
    }

    @Test
    void retention_isReadAndChangedByOwnersOnly() {
        warmUp(memberToken);
        StoredState before = stored();
        var memberRead = as(memberToken, api.get("/api/admin/retention")).send();
        var memberWrite = as(memberToken, api.put("/api/admin/retention", "{\"retention\":\"1d\"}"))
                .send();
        assertThat(memberRead.status()).isEqualTo(403);
        assertThat(memberWrite.status()).isEqualTo(403);
        assertThat(memberWrite.error()).isEqualTo("this needs the owner role in the workspace");
        assertThat(before.changesTo(stored())).isEmpty();

        var set = as(ownerToken, api.put("/api/admin/retention", "{\"retention\":\"30d\"}"))
                .send();
        assertThat(set.status()).isEqualTo(200);
        assertThat(set.json().get("retention").asText()).isEqualTo("30d");
        assertThat(strata.directory().retentions().get(workspace)).contains("30d");
        assertThat(as(ownerToken, api.get("/api/admin/retention"))
                        .send()
                        .json()
                        .get("retention")
                        .asText())
                .isEqualTo("30d");
        assertThat(as(ownerToken, api.put("/api/admin/retention", "{\"retention\":\"off\"}"))
                        .send()
                        .status())
                .isEqualTo(200);
        assertThat(strata.directory().retentions().get(workspace)).contains("off");

        StoredState beforeBad = stored();
        var bad = as(ownerToken, api.put("/api/admin/retention", "{\"retention\":\"soon\"}"))
                .send();
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error()).isEqualTo("retention must be a duration like 250ms, 45s, 30m, 12h or 7d, got 'soon'");
        assertThat(as(ownerToken, api.put("/api/admin/retention", "{}")).send().status())
                .isEqualTo(400);
        assertThat(beforeBad.changesTo(stored())).isEmpty();

        var reset = as(ownerToken, api.put("/api/admin/retention", "{\"retention\":null}"))
                .send();
        assertThat(reset.status()).isEqualTo(200);
        assertThat(reset.json().get("retention").isNull()).isTrue();
        assertThat(strata.directory().retentions().get(workspace)).isEmpty();
    }

    @Test
    void aMachineToken_getsNoUserEndpoint_andAnOutsiderSeesNoWorkspace() {
        var machine = api.delete("/api/tasks/x")
                .token(machineToken)
                .workspace(workspace)
                .send();
        assertThat(machine.status()).isEqualTo(403);
        assertThat(machine.error()).isEqualTo("this endpoint needs a user token");
        var outsider = as(outsiderToken, api.get("/api/admin/retention")).send();
        assertThat(outsider.status()).isEqualTo(404);
        assertThat(outsider.error()).isEqualTo("workspace not found");
    }

    @Test
    void promotingAMember_letsThemDeleteWithinSeconds() {
        String user = strata.directory().createUser("promoted@example.com", "P").id();
        strata.directory().addMember(workspace, user, Role.MEMBER);
        String token = strata.tokens().createUserToken(user);
        String task = newTask(ownerToken);
        assertThat(as(token, api.delete("/api/tasks/" + task)).send().status()).isEqualTo(403);
        strata.directory().addMember(workspace, user, Role.OWNER);
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> as(token, api.delete("/api/tasks/" + task)).send().status() == 200);
    }

    // ---- tokens

    @Test
    void anExpiredToken_is401LikeAnUnknownOne() {
        String token = strata.tokens().createUserToken(ownerId, Optional.of(Duration.ofMillis(300)));
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> as(token, api.get("/api/tasks/x")).send().status() == 401);
        var response = as(token, api.get("/api/tasks/x")).send();
        assertThat(response.error()).isEqualTo("invalid token");
    }

    @Test
    void revokingById_stopsTheTokenWithinSeconds() {
        String token = strata.tokens().createMachineToken(ownerId, workspace);
        String task = newTask(ownerToken);
        assertThat(api.get("/api/daemon/tasks/" + task + "/messages")
                        .token(token)
                        .send()
                        .status())
                .isEqualTo(200);
        assertThat(strata.tokens().revokeById(dev.strata.server.auth.TokenService.id(token)))
                .isTrue();
        assertThat(strata.tokens().revokeById(dev.strata.server.auth.TokenService.id(token)))
                .isFalse();
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> api.get("/api/daemon/tasks/" + task + "/messages")
                                .token(token)
                                .send()
                                .status()
                        == 401);
    }

    // ---- creation under a client-chosen id

    @Test
    void repeatingACreate_returnsTheExistingTaskWith200() {
        String body = "{\"id\":\"job-42_a\",\"prompt\":\"fix the build\"}";
        var first = as(memberToken, api.post("/api/tasks", body)).send();
        append("job-42_a", "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"content\":\"x\"}]}");
        StoredState before = stored();
        var again = as(memberToken, api.post("/api/tasks", body)).send();

        assertThat(first.status()).isEqualTo(201);
        assertThat(first.json().get("id").asText()).isEqualTo("job-42_a");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json()).isEqualTo(first.json());
        assertThat(before.changesTo(stored())).isEmpty();
    }

    @Test
    void aDifferentBodyUnderATakenId_is409_andChangesNothing() {
        as(ownerToken, api.post("/api/tasks", "{\"id\":\"taken-1\",\"prompt\":\"a\"}"))
                .send();
        String conversation = as(ownerToken, api.post("/api/conversations", "{}"))
                .send()
                .json()
                .get("id")
                .asText();
        warmUp(ownerToken);
        StoredState before = stored();

        for (String body : List.of(
                "{\"id\":\"taken-1\",\"prompt\":\"b\"}",
                "{\"id\":\"taken-1\"}",
                "{\"id\":\"taken-1\",\"prompt\":\"a\",\"conversation_id\":\"" + conversation + "\"}")) {
            var response = as(ownerToken, api.post("/api/tasks", body)).send();
            assertThat(response.status()).as(body).isEqualTo(409);
            assertThat(response.text()).as(body).isEqualTo("{\"error\":\"id already exists\"}");
        }
        assertThat(before.changesTo(stored())).isEmpty();
    }

    @Test
    void anIdTakenInAnotherWorkspace_is409WithoutLeakingIt() {
        as(outsiderToken, api.post("/api/tasks", "{\"id\":\"elsewhere\",\"prompt\":\"secret\"}"))
                .header("X-Workspace-ID", otherWorkspace)
                .send();
        as(outsiderToken, api.post("/api/conversations", "{\"id\":\"conv-elsewhere\",\"title\":\"secret\"}"))
                .header("X-Workspace-ID", otherWorkspace)
                .send();
        warmUp(ownerToken);
        StoredState before = stored();

        var task = as(ownerToken, api.post("/api/tasks", "{\"id\":\"elsewhere\",\"prompt\":\"secret\"}"))
                .send();
        var conversation = as(
                        ownerToken, api.post("/api/conversations", "{\"id\":\"conv-elsewhere\",\"title\":\"secret\"}"))
                .send();

        assertThat(task.status()).isEqualTo(409);
        assertThat(task.text()).isEqualTo("{\"error\":\"id already exists\"}");
        assertThat(conversation.status()).isEqualTo(409);
        assertThat(conversation.text()).isEqualTo("{\"error\":\"id already exists\"}");
        assertThat(before.changesTo(stored())).isEmpty();
        assertThat(as(ownerToken, api.get("/api/tasks/elsewhere")).send().status())
                .isEqualTo(404);
    }

    @Test
    void conversations_areIdempotentToo() {
        var first = as(ownerToken, api.post("/api/conversations", "{\"id\":\"conv-1\",\"title\":\"Plan\"}"))
                .send();
        var again = as(ownerToken, api.post("/api/conversations", "{\"id\":\"conv-1\",\"title\":\"Plan\"}"))
                .send();
        var other = as(ownerToken, api.post("/api/conversations", "{\"id\":\"conv-1\",\"title\":\"Other\"}"))
                .send();
        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json()).isEqualTo(first.json());
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.error()).isEqualTo("id already exists");
        var task = as(ownerToken, api.post("/api/tasks", "{\"id\":\"in-conv-1\",\"conversation_id\":\"conv-1\"}"))
                .send();
        assertThat(task.status()).isEqualTo(201);
        assertThat(task.json().get("conversation_id").asText()).isEqualTo("conv-1");
    }

    @Test
    void badIds_are400_andCreateNothing() {
        warmUp(ownerToken);
        StoredState before = stored();
        for (String id : List.of("\"\"", "\"" + "a".repeat(129) + "\"", "\"a b\"", "\"a/b\"", "\"é\"", "42")) {
            for (String path : List.of("/api/tasks", "/api/conversations")) {
                var response =
                        as(ownerToken, api.post(path, "{\"id\":" + id + "}")).send();
                assertThat(response.status()).as(path + " " + id).isEqualTo(400);
                assertThat(response.error()).as(path + " " + id).isNotBlank();
            }
        }
        assertThat(before.changesTo(stored())).isEmpty();
        assertThat(as(ownerToken, api.post("/api/tasks", "{\"id\":\"" + "a".repeat(128) + "\"}"))
                        .send()
                        .status())
                .isEqualTo(201);
    }

    @Test
    void concurrentIdenticalCreates_createOnce_andTheOthersGet200() throws Exception {
        int creators = 8;
        ExecutorService pool = Executors.newFixedThreadPool(creators);
        try {
            for (int round = 0; round < 10; round++) {
                String id = "race-" + round;
                String conversationId = "race-conv-" + round;
                List<Future<ApiClient.Response>> tasks = new ArrayList<>();
                List<Future<ApiClient.Response>> conversations = new ArrayList<>();
                for (int i = 0; i < creators; i++) {
                    conversations.add(pool.submit(() -> as(
                                    ownerToken,
                                    api.post(
                                            "/api/conversations",
                                            "{\"id\":\"" + conversationId + "\",\"title\":\"t\"}"))
                            .send()));
                    tasks.add(pool.submit(
                            () -> as(memberToken, api.post("/api/tasks", "{\"id\":\"" + id + "\",\"prompt\":\"p\"}"))
                                    .send()));
                }
                assertExactlyOneCreated(tasks);
                assertExactlyOneCreated(conversations);
                assertThat(strata.store().task(id)).isPresent();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDeletedTasksId_canBeUsedAgain() {
        assertThat(as(ownerToken, api.post("/api/tasks", "{\"id\":\"again-1\"}"))
                        .send()
                        .status())
                .isEqualTo(201);
        assertThat(as(ownerToken, api.delete("/api/tasks/again-1")).send().status())
                .isEqualTo(200);
        assertThat(as(ownerToken, api.post("/api/tasks", "{\"id\":\"again-1\"}"))
                        .send()
                        .status())
                .isEqualTo(201);
        assertThat(as(ownerToken, api.get("/api/tasks/again-1"))
                        .send()
                        .json()
                        .get("message_count")
                        .asLong())
                .isZero();
    }

    private static void assertExactlyOneCreated(List<Future<ApiClient.Response>> responses) throws Exception {
        List<Integer> statuses = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (Future<ApiClient.Response> response : responses) {
            statuses.add(response.get().status());
            ids.add(response.get().json().get("created_at").asText());
        }
        assertThat(statuses).containsOnly(200, 201).containsOnlyOnce(201);
        assertThat(ids).as("every answer is the one created object").containsOnly(ids.get(0));
    }

    // ---- helpers

    ApiClient.Request as(String token, ApiClient.Request request) {
        return request.token(token).workspace(workspace);
    }

    String newTask(String token) {
        var response = as(token, api.post("/api/tasks", "{}")).send();
        assertThat(response.status()).isEqualTo(201);
        return response.json().get("id").asText();
    }

    ApiClient.Response append(String taskId, String body) {
        return api.post("/api/daemon/tasks/" + taskId + "/messages", body)
                .token(machineToken)
                .send();
    }

    /** A first request with the token, so its last use is recorded before a capture of the stored state. */
    void warmUp(String token) {
        as(token, api.get("/api/tasks/none")).send();
    }

    StoredState stored() {
        return StoredState.capture(
                strata.database(), new LocalDirectoryContentTier(directory.resolve("objects")), OptionalLong.empty());
    }
}
