package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.strata.model.InvalidInputException;
import dev.strata.model.TaskMessage;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.export.ExportImporter;
import dev.strata.server.export.ExportWriter;
import dev.strata.server.export.TaskExporter;
import dev.strata.server.workspace.Role;
import dev.strata.server.workspace.Task;
import dev.strata.server.workspace.TaskStatus;
import dev.strata.store.TaskMessageStore;
import dev.strata.testing.TestServices;
import dev.strata.tier.content.LocalDirectoryContentTier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export from one Strata (SQLite, local directory) and import into an empty one (PostgreSQL, its
 * own directory): the tasks come back exactly as the API shows them, status, times, ids and every
 * message included; the HTTP export is the same text; bad files change nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportRoundTripHttpTest {
    private static final Instant OLD = Instant.parse("2025-03-01T10:00:00.123Z");

    @TempDir
    static Path directory;

    EmbeddedServer source;
    String schema;
    String otherWorkspace;
    String running;
    String completed;

    @BeforeAll
    void start() throws IOException {
        Files.createDirectories(directory.resolve("source"));
        source = EmbeddedServer.start(directory.resolve("source"), Map.of());
        Strata strata = source.strata();
        String conversation = source.api()
                .post("/api/conversations", "{\"id\":\"conv-1\",\"title\":\"t\"}")
                .token(source.userToken())
                .workspace(source.workspace())
                .send()
                .json()
                .get("id")
                .asText();
        running = create("{\"id\":\"running-1\",\"prompt\":\"p\"}");
        completed = create("{\"conversation_id\":\"" + conversation + "\"}");
        TaskMessageStore store = strata.store();
        // Old messages with their own ids and times (as a migration brings them), then live appends.
        store.importMessages(
                running,
                List.of(
                        new TaskMessage(
                                TaskMessageStore.messageId(running, 1),
                                running,
                                1,
                                "tool-use",
                                "Bash",
                                "c1",
                                "",
                                Optional.of("{ \"n\" : 1.50, \"z\": -0, \"big\": 1e400, \"s\": \"\\u00e9\\n\" }"),
                                "",
                                OLD),
                        new TaskMessage(
                                TaskMessageStore.messageId(running, 2),
                                running,
                                2,
                                "tool-result",
                                "Bash",
                                "c1",
                                "",
                                Optional.empty(),
                                "x".repeat(100_000),
                                OLD.plusSeconds(1))));
        appendAll(running, 3, 40);
        appendAll(completed, 1, 5);
        assertThat(source.api()
                        .post("/api/daemon/tasks/" + completed + "/complete", "{\"output\":\"ok\"}")
                        .token(source.machineToken())
                        .send()
                        .status())
                .isEqualTo(200);
        otherWorkspace = strata.directory().createWorkspace("other").id();
        String elsewhere = "elsewhere-1";
        store.createTask(elsewhere);
        strata.directory().createTask(elsewhere, otherWorkspace, Optional.empty(), "");
    }

    @AfterAll
    void stop() {
        source.close();
        if (schema != null) {
            TestServices.dropSchema(schema);
        }
    }

    @Test
    void exportThenImport_intoAnEmptyStrata_reproducesTheTasksExactly() throws IOException {
        Path file = directory.resolve("workspace.jsonl.zst");
        try (OutputStream out = new ZstdOutputStream(Files.newOutputStream(file))) {
            ExportWriter writer = new ExportWriter(out);
            exporter().exportWorkspace(source.workspace(), Optional.empty(), writer, n -> {});
            writer.end();
            assertThat(writer.tasks()).isEqualTo(2);
            assertThat(writer.messages()).isEqualTo(45);
        }

        schema = TestServices.uniqueName("export");
        try (Strata target = Strata.open(StrataConfig.fromEnvironment(Map.of(
                        "STRATA_DB_URL",
                        TestServices.postgresUrl(schema),
                        "STRATA_CONTENT_URL",
                        "file:" + directory.resolve("target-objects"),
                        "STRATA_PORT",
                        "0",
                        "STRATA_HOST",
                        "127.0.0.1")))
                .serve()) {
            ExportImporter importer = new ExportImporter(target.store(), target.directory());
            try (BufferedReader in = zstd(file)) {
                assertThat(ExportImporter.check(in).messages()).isEqualTo(45);
            }
            ExportImporter.Summary summary;
            try (BufferedReader in = zstd(file)) {
                summary = importer.run(in, n -> {});
            }
            assertThat(summary).isEqualTo(new ExportImporter.Summary(2, 45, 45, 0));

            String user =
                    target.directory().createUser("ann@example.com", "Ann").id();
            target.directory().addMember(source.workspace(), user, Role.OWNER);
            ApiClient targetApi = new ApiClient(target.port());
            String targetToken = target.tokens().createUserToken(user);
            for (String task : List.of(running, completed)) {
                assertThat(get(targetApi, targetToken, "/api/tasks/" + task))
                        .isEqualTo(get(source.api(), source.userToken(), "/api/tasks/" + task));
                assertThat(get(targetApi, targetToken, "/api/tasks/" + task + "/messages?exclude_types="))
                        .isEqualTo(get(
                                source.api(), source.userToken(), "/api/tasks/" + task + "/messages?exclude_types="));
                assertThat(text(targetApi, targetToken, "/api/tasks/" + task + "/export"))
                        .isEqualTo(text(source.api(), source.userToken(), "/api/tasks/" + task + "/export"));
            }
            assertThat(get(targetApi, targetToken, "/api/tasks/" + completed)
                            .get("status")
                            .asText())
                    .isEqualTo("completed");
            assertThat(target.store().task(completed).orElseThrow().sealed()).isTrue();
            assertThat(target.directory().task(source.workspace(), "elsewhere-1"))
                    .isEmpty();

            // Again: nothing is imported twice.
            try (BufferedReader in = zstd(file)) {
                assertThat(importer.run(in, n -> {})).isEqualTo(new ExportImporter.Summary(2, 45, 0, 45));
            }
        }
    }

    @Test
    void theHttpExport_isTheSameTextAsTheExporters() throws IOException {
        var response = source.api()
                .get("/api/tasks/" + running + "/export")
                .token(source.userToken())
                .workspace(source.workspace())
                .send();
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).contains("application/x-ndjson");
        assertThat(response.text()).isEqualTo(exportOf(running, Optional.empty()));
        List<String> lines = response.text().lines().toList();
        assertThat(lines).hasSize(1 + 40 + 1);
        assertThat(lines.get(0))
                .isEqualTo("{\"task\":{\"id\":\"running-1\",\"workspace_id\":\"" + source.workspace()
                        + "\",\"conversation_id\":null,\"status\":\"queued\",\"created_at\":\""
                        + source.api()
                                .get("/api/tasks/running-1")
                                .token(source.userToken())
                                .workspace(source.workspace())
                                .send()
                                .json()
                                .get("created_at")
                                .asText()
                        + "\"}}");
        assertThat(lines.get(1))
                .contains("\"input\":{ \"n\" : 1.50, \"z\": -0, \"big\": 1e400, \"s\": \"\\u00e9\\n\" }");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("{\"end\":{\"tasks\":1,\"messages\":40}}");
        var outsider = source.api()
                .get("/api/tasks/elsewhere-1/export")
                .token(source.userToken())
                .workspace(source.workspace())
                .send();
        assertThat(outsider.status()).isEqualTo(404);
    }

    @Test
    void since_keepsOnlyNewerMessages_andLeavesOutTasksWithoutAny() throws IOException {
        String text = exportOf(running, Optional.of(OLD.plusMillis(500)));
        assertThat(text.lines().filter(line -> line.contains("\"seq\":1,")).toList())
                .isEmpty();
        assertThat(text.lines().filter(line -> line.contains("\"seq\":2,")).toList())
                .hasSize(1);
        assertThat(text.lines().toList().get(text.lines().toList().size() - 1))
                .isEqualTo("{\"end\":{\"tasks\":1,\"messages\":39}}");

        var out = new java.io.ByteArrayOutputStream();
        ExportWriter writer = new ExportWriter(out);
        exporter().exportWorkspace(source.workspace(), Optional.of(Instant.now().plusSeconds(3600)), writer, n -> {});
        writer.end();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"end\":{\"tasks\":0,\"messages\":0}}\n");
    }

    @Test
    void aTruncatedOrMalformedFile_isRefusedWhole_andChangesNothing() throws IOException {
        String whole = exportOf(completed, Optional.empty());
        List<String> lines = new ArrayList<>(whole.lines().toList());
        String truncated = String.join("\n", lines.subList(0, lines.size() - 1)) + "\n";
        String badCount = whole.replace("\"messages\":5}", "\"messages\":6}");
        String foreign = whole.replace("\"task_id\":\"" + completed + "\",\"seq\":3", "\"task_id\":\"zzz\",\"seq\":3");
        String garbage = lines.get(0) + "\nnot json\n" + lines.get(lines.size() - 1) + "\n";

        assertThatThrownBy(() -> ExportImporter.check(reader(truncated)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "the file ends after line 6 without the closing {\"end\":...} line: it is not a complete export");
        assertThatThrownBy(() -> ExportImporter.check(reader(badCount)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("the closing line counts 1 tasks and 6 messages, the file holds 1 and 5");
        assertThatThrownBy(() -> ExportImporter.check(reader(foreign)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("line 4: a message of task zzz outside that task's lines");
        assertThatThrownBy(() -> ExportImporter.check(reader(garbage)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("line 2: not JSON");
    }

    @Test
    void importingATaskWhoseIdOrConversationIsTakenInAnotherWorkspace_isRefused() {
        String task = exportOf(running, Optional.empty()).replace(source.workspace(), otherWorkspace);
        String conversation = exportOf(completed, Optional.empty()).replace(source.workspace(), otherWorkspace);
        StoredState before = stored();
        ExportImporter importer =
                new ExportImporter(source.strata().store(), source.strata().directory());
        assertThatThrownBy(() -> importer.run(reader(task), n -> {}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("task " + running + " exists here in another workspace; nothing of it was imported");
        assertThatThrownBy(() -> importer.run(reader(conversation), n -> {}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("conversation conv-1 of task " + completed
                        + " exists here in another workspace; nothing of the task was imported");
        assertThat(before.changesTo(stored())).isEmpty();
    }

    private String create(String body) {
        var response = source.api()
                .post("/api/tasks", body)
                .token(source.userToken())
                .workspace(source.workspace())
                .send();
        assertThat(response.status()).isEqualTo(201);
        return response.json().get("id").asText();
    }

    private void appendAll(String task, int from, int to) {
        StringBuilder body = new StringBuilder("{\"messages\":[");
        for (int seq = from; seq <= to; seq++) {
            String type = seq % 3 == 0 ? "thinking" : seq % 3 == 1 ? "text" : "tool-result";
            body.append(seq == from ? "" : ",")
                    .append("{\"seq\":")
                    .append(seq)
                    .append(",\"type\":\"")
                    .append(type)
                    .append("\",\"content\":\"step ")
                    .append(seq)
                    .append(" ünïcødé \\ud83d\\ude00\"}");
        }
        body.append("]}");
        assertThat(source.api()
                        .post("/api/daemon/tasks/" + task + "/messages", body.toString())
                        .token(source.machineToken())
                        .send()
                        .status())
                .isEqualTo(200);
    }

    private TaskExporter exporter() {
        return new TaskExporter(source.strata().store(), source.strata().directory());
    }

    private String exportOf(String taskId, Optional<Instant> since) {
        Task task = source.strata().directory().task(source.workspace(), taskId).orElseThrow();
        var out = new java.io.ByteArrayOutputStream();
        ExportWriter writer = new ExportWriter(out);
        assertThat(exporter().exportTask(task, since, writer, n -> {})).isTrue();
        writer.end();
        assertThat(task.status()).isIn(TaskStatus.QUEUED, TaskStatus.COMPLETED);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static BufferedReader reader(String text) {
        return new BufferedReader(new StringReader(text));
    }

    private static BufferedReader zstd(Path file) throws IOException {
        return new BufferedReader(
                new InputStreamReader(new ZstdInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8));
    }

    private JsonNode get(ApiClient api, String token, String path) {
        var response = api.get(path).token(token).workspace(source.workspace()).send();
        assertThat(response.status()).as(path).isEqualTo(200);
        return response.json();
    }

    private String text(ApiClient api, String token, String path) {
        var response = api.get(path).token(token).workspace(source.workspace()).send();
        assertThat(response.status()).as(path).isEqualTo(200);
        return response.text();
    }

    private StoredState stored() {
        return StoredState.capture(
                source.strata().database(),
                new LocalDirectoryContentTier(directory.resolve("source").resolve("objects")),
                OptionalLong.empty());
    }
}
