package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real responses of a real Strata (embedded backends, over loopback HTTP) are what
 * {@code openapi.json} documents: status, content type, headers and, for JSON, the body against
 * the operation's schema. One walk through the API answers every documented operation at least once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiResponsesTest {
    private static final long MAX_BODY = 4096;

    @TempDir
    static Path directory;

    private final OpenApiContract contract = OpenApiContract.load();
    private final Set<String> answered = new TreeSet<>();
    private EmbeddedServer server;

    @BeforeAll
    void start() {
        server = EmbeddedServer.start(
                directory, Map.of("STRATA_MAX_BODY_BYTES", Long.toString(MAX_BODY), "STRATA_CACHE_URL", "memory"));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void everyDocumentedOperation_answersAsDocumented() {
        conforming("GET", "/healthz", server.api().get("/healthz"));
        conforming("GET", "/readyz", server.api().get("/readyz"));
        conforming("GET", "/metrics", server.api().get("/metrics"));
        conforming("GET", "/openapi.json", server.api().get("/openapi.json"));

        String conversation = conforming(
                        "POST",
                        "/api/conversations",
                        user(server.api().post("/api/conversations", "{\"title\":\"t\"}")))
                .json()
                .get("id")
                .asText();
        String task = conforming(
                        "POST",
                        "/api/tasks",
                        user(server.api()
                                .post("/api/tasks", "{\"conversation_id\":\"" + conversation + "\",\"prompt\":\"p\"}")))
                .json()
                .get("id")
                .asText();
        assertThat(conforming("GET", "/api/tasks/{id}", user(server.api().get("/api/tasks/" + task)))
                        .json()
                        .get("last_message_at")
                        .isNull())
                .as("a task without messages")
                .isTrue();

        String messages = "{\"messages\":[{\"seq\":1,\"type\":\"tool-use\",\"tool\":\"Bash\",\"call_id\":\"c1\","
                + "\"input\":{\"cmd\":\"make\",\"n\":1.50}},{\"seq\":2,\"type\":\"text\",\"content\":\"done\"},"
                + "{\"seq\":3,\"type\":\"log\",\"content\":\"dropped\"},{\"seq\":4,\"type\":\"thinking\"}]}";
        conforming("POST", "/api/daemon/tasks/{taskId}/messages", daemon(appendTo(task, messages)));
        assertThat(conforming("POST", "/api/daemon/tasks/{taskId}/messages", daemon(appendTo(task, messages)))
                        .json()
                        .get("duplicates")
                        .asInt())
                .isEqualTo(3);

        var page = conforming(
                "GET", "/api/tasks/{id}/messages", user(server.api().get("/api/tasks/" + task + "/messages?limit=2")));
        assertThat(page.header("X-Has-More")).contains("true");
        assertThat(page.json().get(0).get("input").get("cmd").asText()).isEqualTo("make");
        var tail = conforming(
                "GET", "/api/tasks/{id}/messages", user(server.api().get("/api/tasks/" + task + "/messages?tail=1")));
        assertThat(tail.header("X-Has-More")).contains("true");
        assertThat(tail.json().get(0).get("seq").asLong()).isEqualTo(4);
        conforming(
                "GET",
                "/api/daemon/tasks/{taskId}/messages",
                daemon(server.api().get("/api/daemon/tasks/" + task + "/messages?since=1&exclude_types=")));
        conforming(
                "GET",
                "/api/daemon/tasks/{taskId}/messages",
                daemon(server.api().get("/api/daemon/tasks/" + task + "/messages?before=4&limit=1")));
        user(server.api().post("/api/tasks", "{}")).send();
        var firstTasks = conforming("GET", "/api/tasks", user(server.api().get("/api/tasks?limit=1")));
        assertThat(firstTasks.json().get("tasks")).hasSize(1);
        String cursor = firstTasks.json().get("next_cursor").asText();
        assertThat(conforming("GET", "/api/tasks", user(server.api().get("/api/tasks?limit=1&cursor=" + cursor)))
                        .json()
                        .get("tasks"))
                .hasSize(1);
        assertThat(conforming("GET", "/api/conversations", user(server.api().get("/api/conversations")))
                        .json()
                        .get("conversations")
                        .get(0)
                        .get("task_count")
                        .asLong())
                .isEqualTo(1);
        conforming("GET", "/api/tasks/{id}", user(server.api().get("/api/tasks/" + task)));
        assertThat(conforming(
                                "POST",
                                "/api/tasks/step-counts",
                                user(server.api()
                                        .post(
                                                "/api/tasks/step-counts",
                                                "{\"task_ids\":[\"" + task + "\",\"unknown\"]}")))
                        .json()
                        .get(task)
                        .asLong())
                .isEqualTo(2);
        conforming("POST", "/api/stream-tickets", user(server.api().post("/api/stream-tickets", "")));
        assertThat(conforming("GET", "/api/tasks/{id}/export", user(server.api().get("/api/tasks/" + task + "/export")))
                        .text()
                        .lines())
                .hasSize(5);
        conforming("GET", "/api/admin/retention", user(server.api().get("/api/admin/retention")));
        conforming(
                "PUT",
                "/api/admin/retention",
                user(server.api().put("/api/admin/retention", "{\"retention\":\"30d\"}")));

        conforming(
                "POST", "/api/daemon/tasks/{taskId}/complete", daemon(finish(task, "complete", "{\"output\":\"ok\"}")));
        assertThat(conforming("POST", "/api/daemon/tasks/{taskId}/fail", daemon(finish(task, "fail", "{}")))
                        .status())
                .isEqualTo(409);

        // The streams' error answers are JSON; their events are checked in their own tests.
        conforming(
                "GET", "/api/tasks/{id}/messages/stream", server.api().get("/api/tasks/" + task + "/messages/stream"));
        conforming("GET", "/api/stream", server.api().get("/api/stream?ticket=nope"));

        conforming("GET", "/api/workspaces", server.api().get("/api/workspaces").token(server.userToken()));
        conforming("GET", "/api/admin/stats", user(server.api().get("/api/admin/stats")));

        conforming("DELETE", "/api/tasks/{id}", user(server.api().delete("/api/tasks/" + task)));
        conforming(
                "DELETE", "/api/conversations/{id}", user(server.api().delete("/api/conversations/" + conversation)));

        assertThat(answered).as("operations answered").isEqualTo(contract.operations());
    }

    @Test
    void creationsUnderAClientId_answerAsDocumented() {
        for (String path : List.of("/api/tasks", "/api/conversations")) {
            assertThat(conforming("POST", path, user(server.api().post(path, "{\"id\":\"doc-1\"}")))
                            .status())
                    .isEqualTo(201);
            assertThat(conforming("POST", path, user(server.api().post(path, "{\"id\":\"doc-1\"}")))
                            .status())
                    .isEqualTo(200);
            assertThat(conforming(
                                    "POST",
                                    path,
                                    user(server.api()
                                            .post(path, "{\"id\":\"doc-1\",\"title\":\"x\",\"prompt\":\"x\"}")))
                            .error())
                    .isEqualTo("id already exists");
            assertThat(conforming("POST", path, user(server.api().post(path, "{\"id\":\"a b\"}")))
                            .status())
                    .isEqualTo(400);
        }
    }

    @Test
    void errorResponses_areDocumented() {
        String task = conforming("POST", "/api/tasks", user(server.api().post("/api/tasks", "")))
                .json()
                .get("id")
                .asText();

        assertThat(conforming("GET", "/api/tasks/{id}", server.api().get("/api/tasks/" + task))
                        .status())
                .isEqualTo(401);
        assertThat(conforming("GET", "/api/tasks/{id}", daemon(server.api().get("/api/tasks/" + task)))
                        .status())
                .isEqualTo(403);
        assertThat(conforming("GET", "/api/tasks/{id}", user(server.api().get("/api/tasks/unknown")))
                        .status())
                .isEqualTo(404);
        assertThat(conforming(
                                "GET",
                                "/api/tasks/{id}",
                                server.api().get("/api/tasks/" + task).token(server.userToken()))
                        .status())
                .as("no workspace")
                .isEqualTo(400);
        assertThat(conforming(
                                "POST",
                                "/api/tasks/step-counts",
                                user(server.api().post("/api/tasks/step-counts", "{}")))
                        .error())
                .isEqualTo("task_ids is required");
        assertThat(conforming("POST", "/api/daemon/tasks/{taskId}/messages", daemon(appendTo(task, "{\"messages\":3}")))
                        .status())
                .isEqualTo(400);
        assertThat(conforming(
                                "POST",
                                "/api/daemon/tasks/{taskId}/messages",
                                daemon(appendTo(
                                        task, "{\"messages\":[]," + "\"pad\":\"" + "x".repeat((int) MAX_BODY) + "\"}")))
                        .status())
                .isEqualTo(413);
        assertThat(conforming(
                                "GET",
                                "/api/tasks/{id}/messages",
                                user(server.api().get("/api/tasks/" + task + "/messages?limit=0")))
                        .status())
                .isEqualTo(400);
        assertThat(conforming("GET", "/api/tasks", user(server.api().get("/api/tasks?cursor=garbage")))
                        .error())
                .isEqualTo("invalid cursor");
        assertThat(conforming("GET", "/api/conversations", user(server.api().get("/api/conversations?limit=201")))
                        .error())
                .isEqualTo("invalid limit parameter: must be an integer from 1 to 200");
        assertThat(conforming(
                                "GET",
                                "/api/tasks/{id}/messages",
                                user(server.api().get("/api/tasks/" + task + "/messages?tail=3&since=1")))
                        .error())
                .isEqualTo("before and tail cannot be combined with since");
        assertThat(conforming(
                                "GET",
                                "/api/tasks/{id}/messages/stream",
                                user(server.api().get("/api/tasks/" + task + "/messages/stream"))
                                        .header("Last-Event-ID", "not a cursor"))
                        .error())
                .isEqualTo("invalid Last-Event-ID");
    }

    @Test
    void taskStream_sendsDocumentedMessagesAndEnd() {
        String task = conforming("POST", "/api/tasks", user(server.api().post("/api/tasks", "{}")))
                .json()
                .get("id")
                .asText();
        daemon(appendTo(
                        task,
                        "{\"messages\":[{\"seq\":1,\"type\":\"text\",\"content\":\"hi\"},"
                                + "{\"seq\":2,\"type\":\"tool-use\",\"input\":{\"a\":[1]}}]}"))
                .send();
        daemon(finish(task, "complete", "")).send();

        try (SseClient stream = SseClient.open(
                server.strata().port(), "/api/tasks/" + task + "/messages/stream?ticket=" + ticket(), Map.of())) {
            assertThat(stream.status).isEqualTo(200);
            assertThat(contract.document()
                            .at("/paths/~1api~1tasks~1{id}~1messages~1stream/get/responses/200/content")
                            .has(stream.contentType))
                    .isTrue();
            await().atMost(Duration.ofSeconds(10)).until(stream::ended);
            assertThat(stream.messages()).hasSize(2);
            stream.messages()
                    .forEach(event -> assertThat(contract.violations("/components/schemas/Message", event.data()))
                            .as(event.data())
                            .isEmpty());
        }
    }

    @Test
    void workspaceStream_sendsDocumentedTaskActivity() {
        try (SseClient stream = SseClient.open(server.strata().port(), "/api/stream?ticket=" + ticket(), Map.of())) {
            assertThat(stream.status).isEqualTo(200);
            user(server.api().post("/api/tasks", "{}")).send();
            await().atMost(Duration.ofSeconds(10)).until(() -> !stream.events().isEmpty());
            var event = stream.events().get(0);
            assertThat(event.name()).isEqualTo("task");
            assertThat(contract.violations("/components/schemas/TaskActivity", event.data()))
                    .as(event.data())
                    .isEmpty();
        }
    }

    /** The validation can fail: a body missing a required field, or with one too many, is refused. */
    @Test
    void bodyThatBreaksTheSchema_failsValidation() {
        String task = user(server.api().post("/api/tasks", "{}"))
                .send()
                .json()
                .get("id")
                .asText();
        var response = conforming("GET", "/api/tasks/{id}", user(server.api().get("/api/tasks/" + task)));

        ObjectNode missing = ((ObjectNode) response.json()).deepCopy();
        missing.remove("status");
        assertThat(contract.violations("GET", "/api/tasks/{id}", withBody(response, missing.toString())))
                .singleElement()
                .asString()
                .contains("status");
        ObjectNode extra = ((ObjectNode) response.json()).deepCopy();
        extra.put("surprise", 1);
        assertThat(contract.violations("GET", "/api/tasks/{id}", withBody(response, extra.toString())))
                .singleElement()
                .asString()
                .contains("surprise");
        assertThat(contract.violations(
                        "GET", "/api/tasks/{id}", new ApiClient.Response(418, response.headers(), response.text())))
                .containsExactly("GET /api/tasks/{id}: status 418 is not documented");
        assertThat(contract.violations("GET", "/api/undocumented", response))
                .containsExactly("GET /api/undocumented is not documented");
    }

    private ApiClient.Response conforming(String method, String pathTemplate, ApiClient.Request request) {
        ApiClient.Response response = request.send();
        answered.add(method + " " + pathTemplate);
        assertThat(contract.violations(method, pathTemplate, response))
                .as("%s %s answered %s %s", method, pathTemplate, response.status(), response.text())
                .isEmpty();
        return response;
    }

    private static ApiClient.Response withBody(ApiClient.Response response, String body) {
        return new ApiClient.Response(response.status(), response.headers(), body);
    }

    private String ticket() {
        return user(server.api().post("/api/stream-tickets", ""))
                .send()
                .json()
                .get("ticket")
                .asText();
    }

    private ApiClient.Request appendTo(String task, String body) {
        return server.api().post("/api/daemon/tasks/" + task + "/messages", body);
    }

    private ApiClient.Request finish(String task, String end, String body) {
        return server.api().post("/api/daemon/tasks/" + task + "/" + end, body);
    }

    private ApiClient.Request user(ApiClient.Request request) {
        return request.token(server.userToken()).workspace(server.workspace());
    }

    private ApiClient.Request daemon(ApiClient.Request request) {
        return request.token(server.machineToken());
    }
}
