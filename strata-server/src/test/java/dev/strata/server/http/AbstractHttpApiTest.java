package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.lifecycle.TaskFrames;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import dev.strata.store.Frame;
import dev.strata.tier.content.ListableContent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.assertj.core.api.Condition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every endpoint and status code of the API, over real HTTP on loopback. Subclasses choose the
 * backends through environment variables, the way an operator does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractHttpApiTest {
    static final long MAX_BODY = 256 * 1024;

    Strata strata;
    ApiClient api;
    String workspace;
    String otherWorkspace;
    String userToken;
    String machineToken;
    String otherMachineToken;
    String outsiderToken;

    /** STRATA_* variables selecting this class's backends. */
    protected abstract Map<String, String> backendEnvironment();

    /** The content tier's objects, listed from outside the server. */
    protected abstract ListableContent contentListing();

    /** How many cache entries have keys starting with {@code keyPrefix}, if the cache can be counted from outside (Redis). */
    protected OptionalLong cacheEntries(String keyPrefix) {
        return OptionalLong.empty();
    }

    protected void cleanUp() {}

    @BeforeAll
    void start() {
        Map<String, String> env = new HashMap<>(backendEnvironment());
        env.put("STRATA_PORT", "0");
        env.put("STRATA_HOST", "127.0.0.1");
        env.put("STRATA_MAX_BODY_BYTES", Long.toString(MAX_BODY));
        strata = Strata.open(StrataConfig.fromEnvironment(env)).serve();
        api = new ApiClient(strata.port());
        var directory = strata.directory();
        workspace = directory.createWorkspace("main").id();
        otherWorkspace = directory.createWorkspace("other").id();
        String user = directory.createUser("owner@example.com", "Owner").id();
        String outsider =
                directory.createUser("outsider@example.com", "Outsider").id();
        directory.addMember(workspace, user, Role.OWNER);
        directory.addMember(otherWorkspace, outsider, Role.MEMBER);
        userToken = strata.tokens().createUserToken(user);
        machineToken = strata.tokens().createMachineToken(user, workspace);
        otherMachineToken = strata.tokens().createMachineToken(outsider, otherWorkspace);
        outsiderToken = strata.tokens().createUserToken(outsider);
    }

    @AfterAll
    void stop() {
        strata.close();
        cleanUp();
    }

    String newTask() {
        var response = api.post("/api/tasks", "{}")
                .token(userToken)
                .workspace(workspace)
                .send();
        assertThat(response.status()).isEqualTo(201);
        return response.json().get("id").asText();
    }

    ApiClient.Response append(String taskId, String body) {
        return api.post("/api/daemon/tasks/" + taskId + "/messages", body)
                .token(machineToken)
                .send();
    }

    ApiClient.Response read(String taskId, String query) {
        return api.get("/api/tasks/" + taskId + "/messages" + query)
                .token(userToken)
                .workspace(workspace)
                .send();
    }

    static String batch(int from, int to) {
        List<String> messages = new ArrayList<>();
        for (int seq = from; seq <= to; seq++) {
            String type = switch (seq % 4) {
                case 0 -> "tool-use";
                case 1 -> "tool-result";
                case 2 -> "thinking";
                default -> "text";
            };
            messages.add("{\"seq\":" + seq + ",\"type\":\"" + type + "\",\"content\":\"step " + seq + "\"}");
        }
        return "{\"messages\":[" + String.join(",", messages) + "]}";
    }

    // ---- authentication and authorization

    @Test
    void missingAuthorization_is401Unauthorized() {
        var response = api.get("/api/tasks/x/messages").workspace(workspace).send();
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.error()).isEqualTo("unauthorized");
    }

    @Test
    void unknownToken_is401InvalidToken() {
        var response =
                api.get("/api/tasks/x").token("ut_nope").workspace(workspace).send();
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.error()).isEqualTo("invalid token");
        assertThat(api.get("/api/tasks/x")
                        .header("Authorization", "Basic abc")
                        .send()
                        .error())
                .isEqualTo("invalid token");
    }

    @Test
    void revokedToken_stopsWorkingWithinSeconds() {
        String user = strata.directory().createUser("revoked@example.com", "").id();
        strata.directory().addMember(workspace, user, Role.MEMBER);
        String token = strata.tokens().createMachineToken(user, workspace);
        String task = newTask();
        assertThat(api.get("/api/daemon/tasks/" + task + "/messages")
                        .token(token)
                        .send()
                        .status())
                .isEqualTo(200);

        // Revoked by another process on the same database, as `bin/strata admin revoke-token` does.
        try (Strata admin = Strata.open(StrataConfig.fromEnvironment(backendEnvironment()))) {
            assertThat(admin.tokens().revoke(token)).isTrue();
            // The README promises 2 seconds; the margin covers one request's round trip.
            await("the revoked token is refused")
                    .atMost(Duration.ofSeconds(2).plusMillis(500))
                    .pollInterval(Duration.ofMillis(50))
                    .untilAsserted(() -> {
                        var response = api.get("/api/daemon/tasks/" + task + "/messages")
                                .token(token)
                                .send();
                        assertThat(response.status())
                                .as("GET daemon messages with the revoked token")
                                .isEqualTo(401);
                        assertThat(response.error())
                                .as("GET daemon messages with the revoked token")
                                .isEqualTo("invalid token");
                    });
        }
    }

    @Test
    void daemonEndpointWithUserToken_is403() {
        var response = api.post("/api/daemon/tasks/x/messages", "{\"messages\":[]}")
                .token(userToken)
                .send();
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.error()).isEqualTo("Forbidden: machine token required");
    }

    @Test
    void userEndpointWithoutWorkspace_is400() {
        var response = api.get("/api/tasks/x").token(userToken).send();
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.error()).isEqualTo("workspace_id is required");
    }

    @Test
    void workspaceFromQueryParameter_isAccepted() {
        String task = newTask();
        var response = api.get("/api/tasks/" + task + "?workspace_id=" + workspace)
                .token(userToken)
                .send();
        assertThat(response.status()).isEqualTo(200);
    }

    @Test
    void userEndpointInWorkspaceOfWhichNotAMember_is404WorkspaceNotFound() {
        var response = api.get("/api/tasks/x")
                .token(outsiderToken)
                .workspace(workspace)
                .send();
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.error()).isEqualTo("workspace not found");
        assertThat(api.get("/api/tasks/x")
                        .token(userToken)
                        .workspace("no-such-workspace")
                        .send()
                        .error())
                .isEqualTo("workspace not found");
    }

    @Test
    void taskOfAnotherWorkspace_is404ForDaemonAndUser() {
        String task = newTask();
        assertThat(append(task, batch(1, 2)).status()).isEqualTo(200);

        var daemon = api.post("/api/daemon/tasks/" + task + "/messages", batch(3, 4))
                .token(otherMachineToken)
                .send();
        var daemonRead = api.get("/api/daemon/tasks/" + task + "/messages")
                .token(otherMachineToken)
                .send();
        var user = api.get("/api/tasks/" + task + "/messages")
                .token(outsiderToken)
                .workspace(otherWorkspace)
                .send();
        var delete = api.delete("/api/tasks/" + task)
                .token(outsiderToken)
                .workspace(otherWorkspace)
                .send();

        for (var response : List.of(daemon, daemonRead, user, delete)) {
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.error()).isEqualTo("task not found");
        }
        assertThat(read(task, "?exclude_types=").json()).hasSize(2);
    }

    @Test
    void machineTokenOnEveryUserEndpoint_is403AndChangesNothing() {
        // Defect 6: a daemon's al_ token could delete tasks, create conversations and read tasks.
        String conversation = api.post("/api/conversations", "{}")
                .token(userToken)
                .workspace(workspace)
                .send()
                .json()
                .get("id")
                .asText();
        String task = newTask();
        assertThat(append(task, batch(1, 4)).status()).isEqualTo(200);
        String before = snapshot(task);
        List<ApiClient.Request> userRoutes = List.of(
                api.get("/api/tasks/" + task),
                api.get("/api/tasks/" + task + "/messages"),
                api.delete("/api/tasks/" + task),
                api.post("/api/conversations", "{\"title\":\"t\"}"),
                api.delete("/api/conversations/" + conversation),
                api.post("/api/tasks", "{\"conversation_id\":\"" + conversation + "\"}"),
                api.post("/api/tasks/step-counts", "{\"task_ids\":[\"" + task + "\"]}"));

        for (var request : userRoutes) {
            var withoutWorkspace = request.token(machineToken).send();
            var withWorkspace = request.workspace(workspace).send();
            for (var response : List.of(withoutWorkspace, withWorkspace)) {
                assertThat(response.status()).as(response.text()).isEqualTo(403);
                assertThat(response.error()).isEqualTo("this endpoint needs a user token");
            }
        }
        assertThat(snapshot(task)).as("task and messages unchanged").isEqualTo(before);
        assertThat(api.delete("/api/conversations/" + conversation)
                        .token(userToken)
                        .workspace(workspace)
                        .send()
                        .status())
                .as("conversation still there")
                .isEqualTo(200);
    }

    /** What a user sees of a task: its summary and every message. */
    String snapshot(String task) {
        var summary = api.get("/api/tasks/" + task)
                .token(userToken)
                .workspace(workspace)
                .send();
        return summary.status() + " " + summary.text() + " "
                + read(task, "?exclude_types=").text();
    }

    // ---- daemon append

    @Test
    void append_returnsAcceptedDuplicatesAndDropped() {
        String task = newTask();
        String body =
                "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"content\":\"a\"},{\"seq\":2,\"type\":\"log\"},{\"seq\":3,\"type\":\"status\"}]}";

        var first = append(task, body);
        var replay = append(task, body);

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().toString())
                .isEqualTo("{\"status\":\"ok\",\"accepted\":1,\"duplicates\":0,\"dropped\":2}");
        assertThat(replay.json().toString())
                .isEqualTo("{\"status\":\"ok\",\"accepted\":0,\"duplicates\":1,\"dropped\":2}");
    }

    @Test
    void append_emptyList_isOk() {
        String task = newTask();
        var response = append(task, "{\"messages\":[]}");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("accepted").asInt()).isZero();
    }

    @Test
    void append_invalidJson_is400InvalidRequestBody() {
        String task = newTask();
        for (String body :
                List.of("{", "", "[1,2]", "\"x\"", "{\"messages\":[]} trailing", "{\"messages\":[],\"messages\":[]}")) {
            var response = append(task, body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.error()).as(body).isEqualTo("invalid request body");
        }
    }

    @Test
    void append_invalidField_is400NamingTheField() {
        String task = newTask();
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{}", "messages: must be an array");
        cases.put("{\"messages\":{}}", "messages: must be an array");
        cases.put("{\"messages\":[1]}", "messages.0: must be an object");
        cases.put("{\"messages\":[{\"type\":\"text\"}]}", "messages.0.seq: is required");
        cases.put(
                "{\"messages\":[{\"seq\":\"1\",\"type\":\"text\"}]}",
                "messages.0.seq: must be an integer from 0 to 9007199254740991");
        cases.put(
                "{\"messages\":[{\"seq\":-1,\"type\":\"text\"}]}",
                "messages.0.seq: must be an integer from 0 to 9007199254740991");
        cases.put(
                "{\"messages\":[{\"seq\":1.5,\"type\":\"text\"}]}",
                "messages.0.seq: must be an integer from 0 to 9007199254740991");
        cases.put(
                "{\"messages\":[{\"seq\":9007199254740992,\"type\":\"text\"}]}",
                "messages.0.seq: must be an integer from 0 to 9007199254740991");
        cases.put("{\"messages\":[{\"seq\":0,\"type\":\"text\"},{\"seq\":1}]}", "messages.1.type: is required");
        cases.put(
                "{\"messages\":[{\"seq\":1,\"type\":\"\"}]}",
                "messages.0.type: must be a string of 1 to 64 characters");
        cases.put(
                "{\"messages\":[{\"seq\":1,\"type\":\"" + "t".repeat(65) + "\"}]}",
                "messages.0.type: must be a string of 1 to 64 characters");
        cases.put("{\"messages\":[{\"seq\":1,\"type\":7}]}", "messages.0.type: must be a string of 1 to 64 characters");
        cases.put("{\"messages\":[{\"seq\":1,\"type\":\"text\",\"tool\":5}]}", "messages.0.tool: must be a string");
        cases.put(
                "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"call_id\":true}]}",
                "messages.0.call_id: must be a string");
        cases.put(
                "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"content\":[]}]}",
                "messages.0.content: must be a string");
        cases.put(
                "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"output\":{}}]}", "messages.0.output: must be a string");
        cases.put(
                "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"input\":[1]}]}",
                "messages.0.input: must be a JSON object");
        cases.put(
                "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"input\":\"{}\"}]}",
                "messages.0.input: must be a JSON object");
        cases.put(
                "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"content\":\"\\ud800\"}]}",
                "messages.0.content: contains an unpaired surrogate at index 0");
        cases.put(
                "{\"messages\":[{\"seq\":3,\"type\":\"text\"},{\"seq\":3,\"type\":\"text\"}]}",
                "messages.1.seq: 3 occurs more than once in the batch");
        cases.forEach((body, error) -> {
            var response = append(task, body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.error()).as(body).isEqualTo(error);
        });
        assertThat(read(task, "?exclude_types=").json()).isEmpty();
    }

    @Test
    void append_bodyOverLimit_is413AndStoresNothing() {
        String task = newTask();
        String big =
                "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"content\":\"" + "x".repeat((int) MAX_BODY) + "\"}]}";
        var response = append(task, big);
        assertThat(response.status()).isEqualTo(413);
        assertThat(response.error()).isEqualTo("request body exceeds the limit of " + MAX_BODY + " bytes");
        assertThat(read(task, "?exclude_types=").json()).isEmpty();
    }

    @Test
    void append_unknownTask_is404TaskNotFound() {
        var response = append("no-such-task", batch(1, 1));
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.error()).isEqualTo("task not found");
    }

    // ---- hostile input (issue 9 and 12)

    @Test
    void append_inputIsKeptAsTheDaemonsExactJsonText() {
        // Defect 12: input was parsed and re-serialized, so -0 became 0 and 1e400 became 1E+400.
        String task = newTask();
        String input = "{ \"zero\" : -0, \"huge\":1e400, \"price\":1.50, \"tiny\":-1.0E-400,"
                + " \"text\":\"caf\\u00e9 \\ud83d\\ude80\\n\", \"list\":[ 1 ,\t2 ], \"far\":1e9999999999, \"nested\":{}\n}";
        var response = append(task, "{\"messages\":[{\"seq\":1,\"type\":\"tool-use\",\"input\":" + input + "}]}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);

        String listed = read(task, "?exclude_types=").text();
        assertThat(listed).as("input in the read").contains("\"input\":" + input + ",");
        String daemonListed = api.get("/api/daemon/tasks/" + task + "/messages?exclude_types=")
                .token(machineToken)
                .send()
                .text();
        assertThat(daemonListed).as("input in the daemon read").contains("\"input\":" + input + ",");
    }

    @Test
    void append_inputThatIsNotWellFormed_is400() {
        String task = newTask();
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"a\":\"\\x\"}", "invalid request body");
        cases.put("{\"a\":01}", "invalid request body");
        cases.put("{\"a\":1,\"a\":2}", "invalid request body");
        cases.put("{\"a\":[1,}", "invalid request body");
        cases.put("[1]", "messages.0.input: must be a JSON object");
        for (var entry : cases.entrySet()) {
            var response =
                    append(task, "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"input\":" + entry.getKey() + "}]}");
            assertThat(response.status()).as(entry.getKey()).isEqualTo(400);
            assertThat(response.error()).as(entry.getKey()).isEqualTo(entry.getValue());
        }
        assertThat(read(task, "?exclude_types=").json()).isEmpty();
    }

    @Test
    void hugeExponentAnywhereInABody_is400NeverA500() {
        // Defect 9: 1e9999999999 gave 500 with a NumberFormatException from every JSON body.
        String task = newTask();
        String number = "1e9999999999";
        Map<String, ApiClient.Request> requests = new java.util.LinkedHashMap<>();
        requests.put(
                "append seq",
                api.post(
                                "/api/daemon/tasks/" + task + "/messages",
                                "{\"messages\":[{\"seq\":" + number + ",\"type\":\"text\"}]}")
                        .token(machineToken));
        requests.put(
                "append content",
                api.post(
                                "/api/daemon/tasks/" + task + "/messages",
                                "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"content\":" + number + "}]}")
                        .token(machineToken));
        requests.put(
                "complete",
                api.post("/api/daemon/tasks/" + task + "/complete", "{\"x\":[" + number + "]}")
                        .token(machineToken));
        requests.put(
                "fail",
                api.post("/api/daemon/tasks/" + task + "/fail", "{\"error\":" + number + "}")
                        .token(machineToken));
        requests.put(
                "conversation",
                api.post("/api/conversations", "{\"title\":" + number + "}")
                        .token(userToken)
                        .workspace(workspace));
        requests.put(
                "task",
                api.post("/api/tasks", "{\"x\":" + number + "}")
                        .token(userToken)
                        .workspace(workspace));
        requests.put(
                "step counts",
                api.post("/api/tasks/step-counts", "{\"task_ids\":[" + number + "]}")
                        .token(userToken)
                        .workspace(workspace));
        String before = snapshot(task);
        long serverErrors = serverErrorsRecorded();

        requests.forEach((name, request) -> {
            var response = request.send();
            assertThat(response.status()).as(name + ": " + response.text()).isEqualTo(400);
            assertThat(response.error()).as(name).isNotBlank();
        });
        assertThat(snapshot(task)).as("nothing changed").isEqualTo(before);
        assertThat(serverErrorsRecorded()).as("5xx answered").isEqualTo(serverErrors);
    }

    @Test
    void controlCharactersOrAbsurdLengthsInIds_are404NeverABackendError() {
        // Defect 9: on PostgreSQL a NUL in a task id answered 503 and was counted as a backend failure.
        String task = newTask();
        String conversation = api.post("/api/conversations", "{}")
                .token(userToken)
                .workspace(workspace)
                .send()
                .json()
                .get("id")
                .asText();
        long serverErrors = serverErrorsRecorded();
        for (String bad : List.of(task + "\u0000", "a\u0001b", "x".repeat(Ids.MAX_LENGTH + 1), "\ud800")) {
            String encoded = java.net.URLEncoder.encode(bad, java.nio.charset.StandardCharsets.UTF_8)
                    .replace("+", "%20");
            String json = jsonString(bad);
            Map<String, ApiClient.Response> responses = new java.util.LinkedHashMap<>();
            var stepCounts = api.post("/api/tasks/step-counts", "{\"task_ids\":[" + json + "]}")
                    .token(userToken)
                    .workspace(workspace)
                    .send();
            assertThat(stepCounts.text())
                    .as("step counts of " + json + ": not visible")
                    .isEqualTo("{}");
            responses.put(
                    "task in conversation",
                    api.post("/api/tasks", "{\"conversation_id\":" + json + "}")
                            .token(userToken)
                            .workspace(workspace)
                            .send());
            responses.put(
                    "workspace query",
                    api.get("/api/tasks/" + task + "?workspace_id=" + encoded)
                            .token(userToken)
                            .send());
            responses.put(
                    "task path",
                    api.get("/api/tasks/" + encoded)
                            .token(userToken)
                            .workspace(workspace)
                            .send());
            responses.put(
                    "daemon path",
                    api.post("/api/daemon/tasks/" + encoded + "/messages", batch(1, 1))
                            .token(machineToken)
                            .send());
            responses.put(
                    "conversation path",
                    api.delete("/api/conversations/" + encoded)
                            .token(userToken)
                            .workspace(workspace)
                            .send());
            responses.forEach((name, response) -> {
                assertThat(response.status())
                        .as(name + " with " + json + ": " + response.text())
                        .isBetween(400, 404);
                assertThat(response.error()).as(name + " with " + json).isNotBlank();
            });
        }
        var prompt = api.post("/api/tasks", "{\"prompt\":\"a\\u0000b\"}")
                .token(userToken)
                .workspace(workspace)
                .send();
        assertThat(prompt.status()).isEqualTo(400);
        assertThat(prompt.error()).isEqualTo("prompt: must not contain NUL characters");
        var title = api.post("/api/conversations", "{\"title\":\"\\u0000\"}")
                .token(userToken)
                .workspace(workspace)
                .send();
        assertThat(title.error()).isEqualTo("title: must not contain NUL characters");
        var result = api.post("/api/daemon/tasks/" + task + "/fail", "{\"error\":\"\\u0000\"}")
                .token(machineToken)
                .send();
        assertThat(result.status()).isEqualTo(400);
        assertThat(api.get("/api/tasks/" + task)
                        .token(userToken)
                        .workspace(workspace)
                        .send()
                        .json()
                        .get("status")
                        .asText())
                .as("task not failed by the refused request")
                .isEqualTo("queued");
        assertThat(api.delete("/api/conversations/" + conversation)
                        .token(userToken)
                        .workspace(workspace)
                        .send()
                        .status())
                .isEqualTo(200);
        assertThat(api.get("/readyz").send().status()).isEqualTo(200);
        assertThat(serverErrorsRecorded()).as("5xx answered").isEqualTo(serverErrors);
    }

    @Test
    void errorsJettyAnswersItself_areJsonToo() {
        // Defect 9: Jetty answered these in HTML.
        RawHttp raw = new RawHttp(strata.port());
        long serverErrors = serverErrorsRecorded();
        Map<String, String> requests = new java.util.LinkedHashMap<>();
        requests.put("%ff%fe in the path", "GET /api/tasks/%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n");
        requests.put("%00 in the path", "GET /api/tasks/%00 HTTP/1.1\r\nHost: x\r\n\r\n");
        requests.put("truncated escape", "GET /api/tasks/% HTTP/1.1\r\nHost: x\r\n\r\n");
        requests.put("10 KB URI", "GET /api/tasks/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        requests.put("20 KB header", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
        requests.put("bad request line", "GET\r\n\r\n");
        requests.put(
                "bad chunked body",
                "POST /api/conversations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                        + "Authorization: Bearer " + userToken + "\r\nX-Workspace-ID: " + workspace
                        + "\r\n\r\nzz\r\nabc\r\n");
        requests.forEach((name, request) -> {
            var response = raw.exchange(request);
            assertThat(response.status()).as(name).isBetween(400, 499);
            assertThat(response.isJsonError())
                    .as(name + ": " + response.headers() + " " + response.body())
                    .isTrue();
        });
        assertThat(raw.exchange("GET /api/tasks/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
                        .status())
                .isEqualTo(414);
        assertThat(raw.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")
                        .status())
                .isEqualTo(431);
        assertThat(serverErrorsRecorded()).as("5xx answered").isEqualTo(serverErrors);
    }

    /** How many requests so far were answered with a 5xx (every status is counted by route in /metrics). */
    long serverErrorsRecorded() {
        return api.get("/metrics")
                .send()
                .text()
                .lines()
                .filter(l -> l.startsWith("strata_http_requests_seconds_count") && l.matches(".*status=\"5\\d\\d\".*"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** {@code text} as a JSON string with every control character and surrogate escaped. */
    static String jsonString(String text) {
        StringBuilder json = new StringBuilder("\"");
        text.chars()
                .forEach(c -> json.append(
                        c < 0x20 || Character.isSurrogate((char) c) || c == '"' || c == '\\'
                                ? String.format("\\u%04x", c)
                                : String.valueOf((char) c)));
        return json.append('"').toString();
    }

    // ---- reads

    @Test
    void read_returnsMessagesInTheDocumentedShape() {
        String task = newTask();
        append(
                task,
                "{\"messages\":[{\"seq\":5,\"type\":\"tool-use\",\"tool\":\"Read\",\"call_id\":\"c1\",\"content\":\"héllo 🚀\","
                        + "\"input\":{\"path\":\"/a\",\"n\":null,\"big\":123456789012345678901234567890,\"d\":1.50,\"nested\":{\"a\":[1,{\"b\":false}]}}},"
                        + "{\"seq\":6,\"type\":\"text\",\"content\":\"\"}]}");

        var response = read(task, "");
        JsonNode messages = response.json();

        assertThat(messages).hasSize(2);
        JsonNode first = messages.get(0);
        assertThat(first.fieldNames())
                .toIterable()
                .containsExactly(
                        "id", "task_id", "seq", "type", "tool", "call_id", "content", "output", "input", "created_at");
        assertThat(first.get("id").asText()).isNotEmpty();
        assertThat(first.get("task_id").asText()).isEqualTo(task);
        assertThat(first.get("seq").asLong()).isEqualTo(5);
        assertThat(first.get("content").asText()).isEqualTo("héllo 🚀");
        assertThat(response.text())
                .contains(
                        "\"input\":{\"path\":\"/a\",\"n\":null,\"big\":123456789012345678901234567890,\"d\":1.50,\"nested\":{\"a\":[1,{\"b\":false}]}}");
        assertThat(first.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(messages.get(1).has("input")).isFalse();
    }

    @Test
    void read_filtersBySinceTypesAndLimit() {
        String task = newTask();
        append(task, batch(0, 11));

        assertThat(seqs(read(task, "")))
                .as("tool-result excluded by default")
                .containsExactly(0L, 2L, 3L, 4L, 6L, 7L, 8L, 10L, 11L);
        assertThat(seqs(read(task, "?exclude_types="))).hasSize(12);
        assertThat(seqs(read(task, "?since=9&exclude_types="))).containsExactly(10L, 11L);
        assertThat(seqs(read(task, "?types=text,thinking"))).containsExactly(2L, 3L, 6L, 7L, 10L, 11L);
        assertThat(seqs(read(task, "?exclude_types=text,thinking"))).containsExactly(0L, 1L, 4L, 5L, 8L, 9L);
        var limited = read(task, "?exclude_types=&limit=5");
        assertThat(seqs(limited)).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(limited.header("X-Has-More")).contains("true");
        assertThat(read(task, "?exclude_types=&limit=12").header("X-Has-More")).isEmpty();
        assertThat(seqs(api.get("/api/daemon/tasks/" + task + "/messages?since=8")
                        .token(machineToken)
                        .send()))
                .containsExactly(10L, 11L);
    }

    @Test
    void read_invalidParameters_are400() {
        String task = newTask();
        assertThat(read(task, "?since=abc").error()).isEqualTo("invalid since parameter");
        assertThat(read(task, "?since=1.5").status()).isEqualTo(400);
        for (String limit : List.of("0", "1001", "x", "-3")) {
            var response = read(task, "?limit=" + limit);
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.error()).isEqualTo("invalid limit parameter: must be an integer from 1 to 1000");
        }
        assertThat(read("no-such-task", "").error()).isEqualTo("task not found");
    }

    // ---- tasks and conversations

    @Test
    void conversationAndTask_areCreatedWithTheDocumentedFields() {
        var conversation = api.post("/api/conversations", "{\"title\":\"Refactor\"}")
                .token(userToken)
                .workspace(workspace)
                .send();
        assertThat(conversation.status()).isEqualTo(201);
        assertThat(conversation.json().fieldNames())
                .toIterable()
                .containsExactly("id", "workspace_id", "title", "created_at");
        assertThat(conversation.json().get("title").asText()).isEqualTo("Refactor");
        String conversationId = conversation.json().get("id").asText();

        var task = api.post("/api/tasks", "{\"conversation_id\":\"" + conversationId + "\",\"prompt\":\"go\"}")
                .token(userToken)
                .workspace(workspace)
                .send();
        assertThat(task.status()).isEqualTo(201);
        assertThat(task.json().fieldNames())
                .toIterable()
                .containsExactly("id", "workspace_id", "conversation_id", "status", "created_at");
        assertThat(task.json().get("status").asText()).isEqualTo("queued");
        assertThat(task.json().get("conversation_id").asText()).isEqualTo(conversationId);

        var missing = api.post("/api/tasks", "{\"conversation_id\":\"nope\"}")
                .token(userToken)
                .workspace(workspace)
                .send();
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.error()).isEqualTo("conversation not found");
        assertThat(api.post("/api/tasks", "{\"prompt\":5}")
                        .token(userToken)
                        .workspace(workspace)
                        .send()
                        .error())
                .isEqualTo("prompt: must be a string");
        assertThat(api.post("/api/conversations", "[]")
                        .token(userToken)
                        .workspace(workspace)
                        .send()
                        .error())
                .isEqualTo("invalid request body");
    }

    @Test
    void getTask_reportsStatusCountAndLastMessageTime() {
        String task = newTask();
        var before = api.get("/api/tasks/" + task)
                .token(userToken)
                .workspace(workspace)
                .send()
                .json();
        assertThat(before.get("message_count").asLong()).isZero();
        assertThat(before.get("last_message_at").isNull()).isTrue();

        append(task, batch(1, 3));
        var complete = api.post("/api/daemon/tasks/" + task + "/complete", "{\"output\":\"done\"}")
                .token(machineToken)
                .send();

        assertThat(complete.status()).isEqualTo(200);
        assertThat(complete.json().toString()).isEqualTo("{\"status\":\"ok\"}");
        var after = api.get("/api/tasks/" + task)
                .token(userToken)
                .workspace(workspace)
                .send()
                .json();
        assertThat(after.fieldNames())
                .toIterable()
                .containsExactly(
                        "id",
                        "workspace_id",
                        "conversation_id",
                        "status",
                        "message_count",
                        "last_message_at",
                        "created_at");
        assertThat(after.get("status").asText()).isEqualTo("completed");
        assertThat(after.get("message_count").asLong()).isEqualTo(3);
        assertThat(after.get("last_message_at").asText()).endsWith("Z");
    }

    @Test
    void complete_compactsTheTaskInTheBackground() {
        String task = newTask();
        for (int b = 0; b < 4; b++) {
            append(task, batch(b * 5, b * 5 + 4));
        }
        List<Long> before = seqs(read(task, "?exclude_types="));
        assertThat(strata.store().task(task).orElseThrow().liveSegments()).isEqualTo(4);

        api.post("/api/daemon/tasks/" + task + "/complete", "{}")
                .token(machineToken)
                .send();

        awaitSeconds(
                10,
                () -> assertThat(strata.store().task(task).orElseThrow().liveSegments())
                        .isEqualTo(1));
        assertThat(seqs(read(task, "?exclude_types="))).isEqualTo(before);
    }

    @Test
    void fail_marksTheTaskFailed() {
        String task = newTask();
        var fail = api.post("/api/daemon/tasks/" + task + "/fail", "{\"error\":\"boom\"}")
                .token(machineToken)
                .send();
        assertThat(fail.status()).isEqualTo(200);
        assertThat(api.get("/api/tasks/" + task)
                        .token(userToken)
                        .workspace(workspace)
                        .send()
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("failed");
        assertThat(api.post("/api/daemon/tasks/" + task + "/fail", "")
                        .token(machineToken)
                        .send()
                        .status())
                .isEqualTo(200);
        assertThat(api.post("/api/daemon/tasks/nope/complete", "{}")
                        .token(machineToken)
                        .send()
                        .status())
                .isEqualTo(404);
    }

    // ---- step counts

    @Test
    void stepCounts_countOnlyStepTypesOfVisibleTasks() {
        String busy = newTask();
        String quiet = newTask();
        append(busy, batch(0, 11));
        append(busy, "{\"messages\":[{\"seq\":100,\"type\":\"error\"}]}");
        append(quiet, "{\"messages\":[{\"seq\":1,\"type\":\"text\"},{\"seq\":2,\"type\":\"tool-result\"}]}");
        String foreign = newTaskIn(otherWorkspace);

        var response = api.post(
                        "/api/tasks/step-counts",
                        "{\"task_ids\":[\"" + busy + "\",\"" + quiet + "\",\"" + foreign + "\",\"nope\"]}")
                .token(userToken)
                .workspace(workspace)
                .send();

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().toString()).isEqualTo("{\"" + busy + "\":7}");
    }

    @Test
    void stepCounts_invalidBodies_are400() {
        Map<String, String> cases = Map.of(
                "{}",
                "task_ids is required",
                "{\"task_ids\":null}",
                "task_ids is required",
                "{\"task_ids\":\"a\"}",
                "task_ids must be an array of strings",
                "{\"task_ids\":[1]}",
                "task_ids must be an array of strings",
                "{\"task_ids\":[" + String.join(",", java.util.Collections.nCopies(101, "\"a\"")) + "]}",
                "task_ids exceeds maximum of 100 entries",
                "nope",
                "invalid request body");
        cases.forEach((body, error) -> {
            var response = api.post("/api/tasks/step-counts", body)
                    .token(userToken)
                    .workspace(workspace)
                    .send();
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.error()).as(body).isEqualTo(error);
        });
        assertThat(api.post("/api/tasks/step-counts", "{\"task_ids\":[]}")
                        .token(userToken)
                        .workspace(workspace)
                        .send()
                        .text())
                .isEqualTo("{}");
    }

    // ---- deletes

    @Test
    void deleteTask_removesItEverywhere() {
        String task = newTask();
        append(task, batch(0, 4));
        append(task, batch(5, 9));
        assertStoredInEveryTier(task, 2);

        var response = api.delete("/api/tasks/" + task)
                .token(userToken)
                .workspace(workspace)
                .send();

        assertThat(response.status()).isEqualTo(200);
        assertGoneFromEveryTier(task, "DELETE /api/tasks/" + task);
        assertThat(response.json().toString()).isEqualTo("{\"status\":\"ok\"}");
        assertThat(read(task, "").status()).isEqualTo(404);
        assertThat(api.get("/api/tasks/" + task)
                        .token(userToken)
                        .workspace(workspace)
                        .send()
                        .status())
                .isEqualTo(404);
        assertThat(append(task, batch(10, 11)).status()).isEqualTo(404);
        assertThat(api.delete("/api/tasks/" + task)
                        .token(userToken)
                        .workspace(workspace)
                        .send()
                        .status())
                .isEqualTo(404);
        // No count of pending deletions here: the task's frames sit in shared objects, which are
        // emptied and queued with a grace (and background consolidation of other tasks queues
        // objects at any time). That no object keeps a deleted task's bytes past the bound is
        // ConsolidationTest's job, which searches every raw object.
    }

    @Test
    void deleteConversation_removesItsTasksAndMessages() {
        String conversation = api.post("/api/conversations", "")
                .token(userToken)
                .workspace(workspace)
                .send()
                .json()
                .get("id")
                .asText();
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String task = api.post("/api/tasks", "{\"conversation_id\":\"" + conversation + "\"}")
                    .token(userToken)
                    .workspace(workspace)
                    .send()
                    .json()
                    .get("id")
                    .asText();
            append(task, batch(0, 4));
            assertStoredInEveryTier(task, 1);
            tasks.add(task);
        }

        var response = api.delete("/api/conversations/" + conversation)
                .token(userToken)
                .workspace(workspace)
                .send();

        assertThat(response.status()).isEqualTo(200);
        for (String task : tasks) {
            assertThat(read(task, "").status()).isEqualTo(404);
            assertThat(strata.store().task(task)).isEmpty();
            assertGoneFromEveryTier(task, "DELETE /api/conversations/" + conversation);
        }
        var again = api.delete("/api/conversations/" + conversation)
                .token(userToken)
                .workspace(workspace)
                .send();
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.error()).isEqualTo("conversation not found");
        // Pending deletions are not counted: see deleteTask_removesItEverywhere.
    }

    // ---- cross-workspace requests and refused requests change nothing

    @Test
    void crossWorkspace_completeAndFailWithAnotherWorkspacesMachineToken_are404_andChangeNothing() {
        Target target = target();

        for (String end : List.of("complete", "fail")) {
            for (String body : List.of("{}", "{\"output\":\"hijacked\",\"error\":\"hijacked\"}", "")) {
                assertRefusedAndNothingChanged(
                        "POST /api/daemon/tasks/{task}/" + end + " " + body + " with another workspace's machine token",
                        CROSS_WORKSPACE,
                        () -> api.post("/api/daemon/tasks/" + target.task() + "/" + end, body)
                                .token(otherMachineToken)
                                .send());
            }
        }

        assertTargetUnchanged(target);
    }

    @Test
    void crossWorkspace_deletingAnotherWorkspacesConversation_is404_andChangesNothing() {
        Target target = target();
        String path = "/api/conversations/" + target.conversation();

        assertRefusedAndNothingChanged(
                "DELETE " + path + " by a member of another workspace, in that workspace",
                CROSS_WORKSPACE,
                () -> api.delete(path)
                        .token(outsiderToken)
                        .workspace(otherWorkspace)
                        .send());
        assertRefusedAndNothingChanged(
                "DELETE " + path + " by a member of another workspace, naming the owning workspace",
                CROSS_WORKSPACE,
                () -> api.delete(path).token(outsiderToken).workspace(workspace).send());

        assertTargetUnchanged(target);
    }

    @Test
    void crossWorkspace_taskWithAForeignConversationId_is404_andCreatesNothing() {
        Target target = target();
        String body = "{\"conversation_id\":\"" + target.conversation() + "\",\"prompt\":\"intrude\"}";

        assertRefusedAndNothingChanged(
                "POST /api/tasks " + body + " by a member of another workspace",
                CROSS_WORKSPACE,
                () -> api.post("/api/tasks", body)
                        .token(outsiderToken)
                        .workspace(otherWorkspace)
                        .send());

        assertThat(strata.directory().taskIdsOfConversation(target.conversation()))
                .as("tasks of the target conversation")
                .containsExactly(target.task());
        assertTargetUnchanged(target);
    }

    @Test
    void crossWorkspace_machineTokenNamingAnotherWorkspace_is403Or404_andChangesNothing() {
        Target target = target();
        String task = "/api/tasks/" + target.task();
        String conversation = "/api/conversations/" + target.conversation();
        String daemon = "/api/daemon/tasks/" + target.task();
        Map<String, Supplier<ApiClient.Response>> requests = new LinkedHashMap<>();
        requests.put(
                "DELETE " + task,
                () -> api.delete(task)
                        .token(otherMachineToken)
                        .workspace(workspace)
                        .send());
        requests.put(
                "DELETE " + conversation,
                () -> api.delete(conversation)
                        .token(otherMachineToken)
                        .workspace(workspace)
                        .send());
        requests.put(
                "POST /api/tasks with the conversation",
                () -> api.post("/api/tasks", "{\"conversation_id\":\"" + target.conversation() + "\"}")
                        .token(otherMachineToken)
                        .workspace(workspace)
                        .send());
        requests.put(
                "POST " + daemon + "/messages",
                () -> api.post(daemon + "/messages", batch(4, 5))
                        .token(otherMachineToken)
                        .workspace(workspace)
                        .send());
        requests.put(
                "POST " + daemon + "/complete",
                () -> api.post(daemon + "/complete", "{}")
                        .token(otherMachineToken)
                        .workspace(workspace)
                        .send());
        requests.put(
                "POST " + daemon + "/fail",
                () -> api.post(daemon + "/fail", "{}")
                        .token(otherMachineToken)
                        .workspace(workspace)
                        .send());

        requests.forEach((request, send) -> assertRefusedAndNothingChanged(
                request + " with another workspace's machine token and X-Workspace-ID of the owner",
                CROSS_WORKSPACE,
                send));

        assertTargetUnchanged(target);
    }

    @Test
    void refusedConversationCreation_changesNothing() {
        Map<String, Supplier<ApiClient.Response>> requests = new LinkedHashMap<>();
        for (String body :
                List.of("[]", "{", "\"x\"", "{\"title\":5}", "{\"title\":[]}", "{\"title\":\"t\"} trailing")) {
            requests.put(
                    "POST /api/conversations " + abbreviate(body),
                    () -> api.post("/api/conversations", body)
                            .token(userToken)
                            .workspace(workspace)
                            .send());
        }
        requests.put(
                "POST /api/conversations over the body limit",
                () -> api.post("/api/conversations", overLimit("title"))
                        .token(userToken)
                        .workspace(workspace)
                        .expectContinue()
                        .send());
        requests.putAll(unauthorized("POST", "/api/conversations", "{\"title\":\"t\"}"));

        requests.forEach((request, send) -> assertRefusedAndNothingChanged(request, CLIENT_ERROR, send));
    }

    @Test
    void refusedTaskCreation_changesNothing() {
        String foreignConversation = api.post("/api/conversations", "{}")
                .token(outsiderToken)
                .workspace(otherWorkspace)
                .send()
                .json()
                .get("id")
                .asText();
        Map<String, Supplier<ApiClient.Response>> requests = new LinkedHashMap<>();
        for (String body : List.of(
                "[1]",
                "{",
                "{\"prompt\":5}",
                "{\"conversation_id\":5}",
                "{\"conversation_id\":\"nope\"}",
                "{\"conversation_id\":\"" + foreignConversation + "\"}",
                "{} trailing")) {
            requests.put(
                    "POST /api/tasks " + abbreviate(body),
                    () -> api.post("/api/tasks", body)
                            .token(userToken)
                            .workspace(workspace)
                            .send());
        }
        requests.put(
                "POST /api/tasks over the body limit",
                () -> api.post("/api/tasks", overLimit("prompt"))
                        .token(userToken)
                        .workspace(workspace)
                        .expectContinue()
                        .send());
        requests.putAll(unauthorized("POST", "/api/tasks", "{\"prompt\":\"p\"}"));

        requests.forEach((request, send) -> assertRefusedAndNothingChanged(request, CLIENT_ERROR, send));
    }

    @Test
    void refusedAppend_changesNothing() {
        Target target = target();
        String path = "/api/daemon/tasks/" + target.task() + "/messages";
        Map<String, Supplier<ApiClient.Response>> requests = new LinkedHashMap<>();
        for (String body : List.of(
                "{",
                "[]",
                "{\"messages\":{}}",
                "{\"messages\":[{\"seq\":9,\"type\":\"text\"},{\"seq\":-1,\"type\":\"text\"}]}",
                "{\"messages\":[{\"seq\":9,\"type\":\"text\"},{\"seq\":9,\"type\":\"text\"}]}",
                "{\"messages\":[{\"seq\":9,\"type\":\"text\"},{\"seq\":10,\"type\":\"text\",\"input\":[1]}]}",
                "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"content\":\"\\ud800\"}]}")) {
            requests.put(
                    "POST " + path + " " + abbreviate(body),
                    () -> api.post(path, body).token(machineToken).send());
        }
        requests.put(
                "POST " + path + " over the body limit",
                () -> api.post(path, overLimit("messages"))
                        .token(machineToken)
                        .expectContinue()
                        .send());
        requests.put(
                "POST " + path + " with a user token",
                () -> api.post(path, batch(9, 10))
                        .token(userToken)
                        .workspace(workspace)
                        .send());
        requests.put(
                "POST " + path + " without a token",
                () -> api.post(path, batch(9, 10)).send());
        requests.put(
                "POST " + path + " with an unknown token",
                () -> api.post(path, batch(9, 10)).token("al_nope").send());
        requests.put(
                "POST /api/daemon/tasks/nope/messages",
                () -> api.post("/api/daemon/tasks/nope/messages", batch(9, 10))
                        .token(machineToken)
                        .send());

        requests.forEach((request, send) -> assertRefusedAndNothingChanged(request, CLIENT_ERROR, send));
        assertTargetUnchanged(target);
    }

    @Test
    void refusedCompleteAndFail_changeNothing() {
        Target target = target();
        Map<String, Supplier<ApiClient.Response>> requests = new LinkedHashMap<>();
        for (String end : List.of("complete", "fail")) {
            String field = end.equals("complete") ? "output" : "error";
            String path = "/api/daemon/tasks/" + target.task() + "/" + end;
            for (String body :
                    List.of("[1]", "{", "\"done\"", "{\"" + field + "\":5}", "{\"" + field + "\":{}}", "{} trailing")) {
                requests.put(
                        "POST " + path + " " + abbreviate(body),
                        () -> api.post(path, body).token(machineToken).send());
            }
            requests.put(
                    "POST " + path + " over the body limit",
                    () -> api.post(path, overLimit(field))
                            .token(machineToken)
                            .expectContinue()
                            .send());
            requests.put(
                    "POST " + path + " with a user token",
                    () -> api.post(path, "{}")
                            .token(userToken)
                            .workspace(workspace)
                            .send());
            requests.put(
                    "POST " + path + " without a token",
                    () -> api.post(path, "{}").send());
            requests.put(
                    "POST " + path + " with an unknown token",
                    () -> api.post(path, "{}").token("al_nope").send());
            requests.put(
                    "POST /api/daemon/tasks/nope/" + end,
                    () -> api.post("/api/daemon/tasks/nope/" + end, "{}")
                            .token(machineToken)
                            .send());
        }

        requests.forEach((request, send) -> assertRefusedAndNothingChanged(request, CLIENT_ERROR, send));
        assertTargetUnchanged(target);
    }

    @Test
    void refusedDeletes_changeNothing() {
        Target target = target();
        Map<String, Supplier<ApiClient.Response>> requests = new LinkedHashMap<>();
        for (String path : List.of("/api/tasks/" + target.task(), "/api/conversations/" + target.conversation())) {
            requests.putAll(unauthorized("DELETE", path, null));
        }
        requests.put(
                "DELETE /api/tasks/nope",
                () -> api.delete("/api/tasks/nope")
                        .token(userToken)
                        .workspace(workspace)
                        .send());
        requests.put(
                "DELETE /api/conversations/nope",
                () -> api.delete("/api/conversations/nope")
                        .token(userToken)
                        .workspace(workspace)
                        .send());
        requests.put(
                "DELETE /api/conversations/{task id}",
                () -> api.delete("/api/conversations/" + target.task())
                        .token(userToken)
                        .workspace(workspace)
                        .send());
        requests.put(
                "DELETE /api/tasks/{conversation id}",
                () -> api.delete("/api/tasks/" + target.conversation())
                        .token(userToken)
                        .workspace(workspace)
                        .send());

        requests.forEach((request, send) -> assertRefusedAndNothingChanged(request, CLIENT_ERROR, send));
        assertTargetUnchanged(target);
    }

    @Test
    void refusedStepCounts_changeNothing() {
        Target target = target();
        Map<String, Supplier<ApiClient.Response>> requests = new LinkedHashMap<>();
        for (String body : List.of(
                "nope",
                "{}",
                "{\"task_ids\":\"a\"}",
                "{\"task_ids\":[1]}",
                "{\"task_ids\":[" + String.join(",", java.util.Collections.nCopies(101, "\"" + target.task() + "\""))
                        + "]}")) {
            requests.put(
                    "POST /api/tasks/step-counts " + abbreviate(body),
                    () -> api.post("/api/tasks/step-counts", body)
                            .token(userToken)
                            .workspace(workspace)
                            .send());
        }
        requests.put(
                "POST /api/tasks/step-counts over the body limit",
                () -> api.post("/api/tasks/step-counts", overLimit("task_ids"))
                        .token(userToken)
                        .workspace(workspace)
                        .expectContinue()
                        .send());
        requests.putAll(unauthorized("POST", "/api/tasks/step-counts", "{\"task_ids\":[\"" + target.task() + "\"]}"));

        requests.forEach((request, send) -> assertRefusedAndNothingChanged(request, CLIENT_ERROR, send));
        assertTargetUnchanged(target);
    }

    /** A conversation of the main workspace with one task of three messages, that refused requests aim at. */
    record Target(String conversation, String task, List<String> messages) {}

    Target target() {
        var conversation = api.post("/api/conversations", "{\"title\":\"target\"}")
                .token(userToken)
                .workspace(workspace)
                .send();
        assertThat(conversation.status())
                .as("POST /api/conversations for the target")
                .isEqualTo(201);
        String conversationId = conversation.json().get("id").asText();
        var task = api.post("/api/tasks", "{\"conversation_id\":\"" + conversationId + "\"}")
                .token(userToken)
                .workspace(workspace)
                .send();
        assertThat(task.status()).as("POST /api/tasks for the target").isEqualTo(201);
        String taskId = task.json().get("id").asText();
        assertThat(append(taskId, batch(1, 3)).status())
                .as("append to the target")
                .isEqualTo(200);
        return new Target(conversationId, taskId, messagesOf(taskId));
    }

    /** The target as its owner sees it: still queued, open, and with the same three messages. */
    void assertTargetUnchanged(Target target) {
        var task = api.get("/api/tasks/" + target.task())
                .token(userToken)
                .workspace(workspace)
                .send();
        assertThat(task.status())
                .as("GET /api/tasks/%s after the refused requests", target.task())
                .isEqualTo(200);
        assertThat(task.json().get("status").asText())
                .as("status of the target task")
                .isEqualTo("queued");
        assertThat(task.json().get("conversation_id").asText())
                .as("conversation of the target task")
                .isEqualTo(target.conversation());
        assertThat(strata.store().task(target.task()).orElseThrow().sealed())
                .as("target task sealed")
                .isFalse();
        assertThat(messagesOf(target.task())).as("messages of the target task").isEqualTo(target.messages());
        assertThat(strata.directory().conversation(workspace, target.conversation()))
                .as("target conversation")
                .isPresent();
    }

    List<String> messagesOf(String taskId) {
        var response = read(taskId, "?exclude_types=");
        assertThat(response.status()).as("GET /api/tasks/%s/messages", taskId).isEqualTo(200);
        List<String> messages = new ArrayList<>();
        response.json().forEach(message -> messages.add(message.toString()));
        return messages;
    }

    static final Condition<Integer> CROSS_WORKSPACE =
            new Condition<>(status -> status == 403 || status == 404, "403 or 404");
    static final Condition<Integer> CLIENT_ERROR = new Condition<>(status -> status >= 400 && status < 500, "a 4xx");

    /**
     * Sends a request that must be refused, and checks that it left every row, object and (where
     * countable) cache entry as it was.
     */
    void assertRefusedAndNothingChanged(String request, Condition<Integer> refused, Supplier<ApiClient.Response> send) {
        StoredState before = stored();
        ApiClient.Response response = send.get();
        assertThat(response.status())
                .as("%s: status (body %s)", request, abbreviate(response.text()))
                .is(refused);
        assertThat(response.error()).as("%s: JSON error message", request).isNotBlank();
        assertThat(before.changesTo(stored()))
                .as("%s changed what is stored", request)
                .isEmpty();
    }

    StoredState stored() {
        return StoredState.capture(strata.database(), contentListing(), cacheEntries(""));
    }

    /** The same request without a token, with an unknown one, without a workspace, and in a workspace the user is not a member of. */
    Map<String, Supplier<ApiClient.Response>> unauthorized(String method, String path, String body) {
        Map<String, Supplier<ApiClient.Response>> requests = new LinkedHashMap<>();
        java.util.function.Function<String, ApiClient.Request> request = token -> {
            ApiClient.Request r = method.equals("DELETE") ? api.delete(path) : api.post(path, body);
            return token == null ? r : r.token(token);
        };
        requests.put(
                method + " " + path + " without a token",
                () -> request.apply(null).workspace(workspace).send());
        requests.put(
                method + " " + path + " with an unknown token",
                () -> request.apply("ut_nope").workspace(workspace).send());
        requests.put(
                method + " " + path + " without a workspace",
                () -> request.apply(userToken).send());
        requests.put(
                method + " " + path + " in a workspace of which the user is not a member",
                () -> request.apply(outsiderToken).workspace(workspace).send());
        return requests;
    }

    /**
     * A JSON object whose one string field makes the body exceed the server's limit. Sent with
     * {@code Expect: 100-continue}: sent outright, the server's 413 is sometimes lost to a
     * connection reset because it answers and closes without reading the body.
     */
    static String overLimit(String field) {
        return "{\"" + field + "\":\"" + "x".repeat((int) MAX_BODY) + "\"}";
    }

    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 60) + "... (" + text.length() + " chars)";
    }

    /** Cache keys of the frames {@link #assertStoredInEveryTier} saw, by task, for {@link #assertGoneFromEveryTier}. */
    private final Map<String, List<String>> cacheKeysSeen = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * One object per append (each append here is a flush of its own) and, when the cache can be
     * counted, one cache entry per frame.
     */
    void assertStoredInEveryTier(String taskId, int objects) {
        List<Frame> frames = TaskFrames.of(contentListing(), taskId);
        assertThat(objectsOf(taskId)).as("objects of task %s", taskId).hasSize(objects);
        List<String> cacheKeys = frames.stream().map(Frame::cacheKey).toList();
        cacheKeysSeen.put(taskId, cacheKeys);
        cacheEntries(cacheKeys)
                .ifPresent(entries -> assertThat(entries)
                        .as("cache entries of task %s", taskId)
                        .isEqualTo(objects));
    }

    void assertGoneFromEveryTier(String taskId, String request) {
        assertThat(strata.store().task(taskId))
                .as("%s: task %s in the metadata tier", request, taskId)
                .isEmpty();
        assertThat(strata.directory().task(workspace, taskId))
                .as("%s: task %s in the directory", request, taskId)
                .isEmpty();
        assertThat(objectsOf(taskId))
                .as("%s: objects of task %s", request, taskId)
                .isEmpty();
        cacheEntries(cacheKeysSeen.getOrDefault(taskId, List.of()))
                .ifPresent(entries -> assertThat(entries)
                        .as("%s: cache entries of task %s", request, taskId)
                        .isZero());
    }

    private OptionalLong cacheEntries(List<String> keys) {
        long total = 0;
        for (String key : keys) {
            OptionalLong entries = cacheEntries(key);
            if (entries.isEmpty()) {
                return entries;
            }
            total += entries.getAsLong();
        }
        return OptionalLong.of(total);
    }

    /** The objects holding frames of the task, found from the content tier alone (their indexes). */
    List<String> objectsOf(String taskId) {
        return TaskFrames.of(contentListing(), taskId).stream()
                .map(Frame::objectKey)
                .distinct()
                .toList();
    }

    // ---- operations

    @Test
    void healthReadinessAndMetrics_answer() {
        assertThat(api.get("/healthz").send().status()).isEqualTo(200);
        var ready = api.get("/readyz").send();
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("metadata").asText()).isEqualTo("up");
        assertThat(ready.json().get("content").asText()).isEqualTo("up");
        String task = newTask();
        append(task, batch(0, 3));
        read(task, "");
        read(task, "");
        var metrics = api.get("/metrics").send();
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.text())
                .as("requests counted by their route")
                .contains(
                        "strata_http_requests_seconds_count{method=\"POST\",route=\"/api/daemon/tasks/{taskId}/messages\",status=\"200\"}");
        assertThat(metrics.text())
                .contains(
                        "strata_http_requests_seconds_count",
                        "strata_tier_operation_seconds_count",
                        "strata_cache_hits_total",
                        "strata_cache_misses_total",
                        "strata_content_written_bytes_total",
                        "strata_deletion_backlog");
    }

    @Test
    void unknownRoute_is404InJson() {
        var response = api.get("/api/nothing-here").send();
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.error()).isEqualTo("not found");
    }

    String newTaskIn(String workspaceId) {
        var response = api.post("/api/tasks", "{}")
                .token(outsiderToken)
                .workspace(workspaceId)
                .send();
        assertThat(response.status()).isEqualTo(201);
        return response.json().get("id").asText();
    }

    static List<Long> seqs(ApiClient.Response response) {
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        List<Long> seqs = new ArrayList<>();
        response.json().forEach(m -> seqs.add(m.get("seq").asLong()));
        return seqs;
    }

    static void awaitSeconds(int seconds, Runnable assertion) {
        await().atMost(Duration.ofSeconds(seconds)).untilAsserted(assertion::run);
    }
}
