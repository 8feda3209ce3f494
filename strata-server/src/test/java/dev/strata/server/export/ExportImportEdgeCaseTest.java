package dev.strata.server.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.InvalidInputException;
import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.server.Strata;
import dev.strata.server.testing.LocalStratas;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Export and import with odd inputs, files that are well-formed JSON but wrong, and odd text. */
class ExportImportEdgeCaseTest {
    private static final Instant AT = Instant.parse("2026-05-01T10:00:00.123Z");

    @TempDir
    Path directory;

    @RegisterExtension
    final LocalStratas stratas = new LocalStratas(() -> directory);

    Strata strata(String name) {
        return stratas.open(name);
    }

    static TaskMessage message(String task, long seq, String content, Optional<String> input) {
        return new TaskMessage("m-" + seq, task, seq, "tool-use", "Read", "c" + seq, content, input, "", AT);
    }

    static String exportOf(Strata strata, String taskId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExportWriter writer = new ExportWriter(out);
        new TaskExporter(strata.store(), strata.directory())
                .exportTask(
                        strata.directory().existingTask(taskId).orElseThrow().record(),
                        Optional.empty(),
                        writer,
                        n -> {});
        writer.end();
        return out.toString(StandardCharsets.UTF_8);
    }

    static ExportImporter.Summary importText(Strata strata, String text) {
        ExportImporter.check(new BufferedReader(new StringReader(text)));
        return new ExportImporter(strata.store(), strata.directory())
                .run(new BufferedReader(new StringReader(text)), n -> {});
    }

    /**
     * A migration keeps non-object legacy inputs as JSON values ({@code ""}, {@code "not json"},
     * {@code [1,2]}, {@code 5}, {@code null}); export writes them as they are, but the reader takes
     * a scalar input's text as its first character only, and a JSON {@code null} input as none.
     */
    @Test
    void exportThenImport_keepsNonObjectInputsExactly() {
        Strata source = strata("source");
        String workspace = source.directory().createWorkspace("w").id();
        source.store().createTask("t-odd");
        source.directory().createTask("t-odd", workspace, Optional.empty(), "p");
        List<Optional<String>> inputs = List.of(
                Optional.of("\"\""),
                Optional.of("\"not json at all\""),
                Optional.of("[1,2]"),
                Optional.of("12345"),
                Optional.of("true"),
                Optional.of("null"));
        List<TaskMessage> messages = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            messages.add(message("t-odd", i + 1, "c", inputs.get(i)));
        }
        // As LegacyConversion stores them (migrate import).
        source.store().importMessages("t-odd", messages);
        String text = exportOf(source, "t-odd");

        Strata target = strata("target");
        importText(target, text);

        assertThat(target.store().list("t-odd", MessageQuery.all()).messages())
                .extracting(TaskMessage::input)
                .containsExactlyElementsOf(inputs);
    }

    /** A file whose lines are all well-formed but whose second task cannot be imported must change nothing. */
    @Test
    void import_ofAFileWithADuplicateSeqInItsSecondTask_changesNothing() {
        String file = String.join(
                "\n",
                "{\"task\":{\"id\":\"t-a\",\"workspace_id\":\"ws-1\",\"conversation_id\":null,\"status\":\"completed\",\"created_at\":\"2026-05-01T10:00:00.000Z\"}}",
                "{\"id\":\"a1\",\"task_id\":\"t-a\",\"seq\":1,\"type\":\"text\",\"tool\":\"\",\"call_id\":\"\",\"content\":\"a\",\"output\":\"\",\"created_at\":\"2026-05-01T10:00:00.000Z\"}",
                "{\"task\":{\"id\":\"t-b\",\"workspace_id\":\"ws-1\",\"conversation_id\":null,\"status\":\"completed\",\"created_at\":\"2026-05-01T10:00:00.000Z\"}}",
                "{\"id\":\"b1\",\"task_id\":\"t-b\",\"seq\":1,\"type\":\"text\",\"tool\":\"\",\"call_id\":\"\",\"content\":\"first\",\"output\":\"\",\"created_at\":\"2026-05-01T10:00:00.000Z\"}",
                "{\"id\":\"b2\",\"task_id\":\"t-b\",\"seq\":1,\"type\":\"text\",\"tool\":\"\",\"call_id\":\"\",\"content\":\"second\",\"output\":\"\",\"created_at\":\"2026-05-01T10:00:00.000Z\"}",
                "{\"end\":{\"tasks\":2,\"messages\":3}}",
                "");
        Strata target = strata("target");

        assertThatThrownBy(() -> importText(target, file)).isInstanceOf(InvalidInputException.class);

        assertThat(target.directory().workspace("ws-1"))
                .as("workspace created by a refused file")
                .isEmpty();
        assertThat(target.store().task("t-a"))
                .as("task imported from a refused file")
                .isEmpty();
    }

    /** Same with a task status that is not one of the statuses: refused, but only after the first task was written. */
    @Test
    void import_ofAFileWithAnUnknownStatusInItsSecondTask_changesNothing() {
        String file = String.join(
                "\n",
                "{\"task\":{\"id\":\"t-a\",\"workspace_id\":\"ws-1\",\"conversation_id\":null,\"status\":\"completed\",\"created_at\":\"2026-05-01T10:00:00.000Z\"}}",
                "{\"id\":\"a1\",\"task_id\":\"t-a\",\"seq\":1,\"type\":\"text\",\"tool\":\"\",\"call_id\":\"\",\"content\":\"a\",\"output\":\"\",\"created_at\":\"2026-05-01T10:00:00.000Z\"}",
                "{\"task\":{\"id\":\"t-b\",\"workspace_id\":\"ws-1\",\"conversation_id\":null,\"status\":\"bogus\",\"created_at\":\"2026-05-01T10:00:00.000Z\"}}",
                "{\"end\":{\"tasks\":2,\"messages\":1}}",
                "");
        Strata target = strata("target");

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> importText(target, file));

        assertThat(thrown).as("a clear, expected error").isInstanceOf(InvalidInputException.class);
        assertThat(target.store().task("t-a"))
                .as("task imported from a refused file")
                .isEmpty();
    }

    /** A lone surrogate written as a JSON escape must be refused (as an append refuses it), not stored as '?'. */
    @Test
    void import_refusesLoneSurrogateContent_insteadOfChangingIt() {
        String file = String.join(
                "\n",
                "{\"task\":{\"id\":\"t-a\",\"workspace_id\":\"ws-1\",\"conversation_id\":null,\"status\":\"running\",\"created_at\":\"2026-05-01T10:00:00.000Z\"}}",
                "{\"id\":\"a1\",\"task_id\":\"t-a\",\"seq\":1,\"type\":\"text\",\"tool\":\"\",\"call_id\":\"\",\"content\":\"x\\ud800y\",\"output\":\"\",\"created_at\":\"2026-05-01T10:00:00.000Z\"}",
                "{\"end\":{\"tasks\":1,\"messages\":1}}",
                "");
        Strata target = strata("target");

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> importText(target, file));

        if (thrown == null) {
            assertThat(target.store().list("t-a", MessageQuery.all()).messages())
                    .extracting(TaskMessage::content)
                    .as("imported content must be what the file holds")
                    .containsExactly("x\ud800y");
        } else {
            assertThat(thrown).isInstanceOf(InvalidInputException.class);
        }
    }

    static String taskLine(String id, String status) {
        return "{\"task\":{\"id\":\"" + id + "\",\"workspace_id\":\"ws-1\",\"conversation_id\":null,\"status\":\""
                + status + "\",\"created_at\":\"2026-05-01T10:00:00.000Z\"}}";
    }

    static String messageLine(String task, long seq, String contentJson) {
        return "{\"id\":\"" + task + "-" + seq + "\",\"task_id\":\"" + task + "\",\"seq\":" + seq
                + ",\"type\":\"text\",\"tool\":\"\",\"call_id\":\"\",\"content\":" + contentJson
                + ",\"output\":\"\",\"created_at\":\"2026-05-01T10:00:00.000Z\"}";
    }

    /** A message whose content is not a string is malformed: check must refuse it, not import "" in its place. */
    @Test
    void check_refusesAContentThatIsNotAString() {
        String file = String.join(
                "\n",
                taskLine("t-a", "running"),
                messageLine("t-a", 1, "12345"),
                "{\"end\":{\"tasks\":1,\"messages\":1}}",
                "");

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> ExportImporter.check(new BufferedReader(new StringReader(file))));

        assertThat(thrown).as("content 12345 silently becomes \"\"").isInstanceOf(InvalidInputException.class);
    }

    /** A task whose lines appear twice (A, B, A): either refused up front or every message imported. */
    @Test
    void import_ofATaskWhoseLinesAppearTwice_isRefusedOrComplete() {
        String file = String.join(
                "\n",
                taskLine("t-a", "completed"),
                messageLine("t-a", 1, "\"a1\""),
                taskLine("t-b", "completed"),
                messageLine("t-b", 1, "\"b1\""),
                taskLine("t-a", "completed"),
                messageLine("t-a", 2, "\"a2\""),
                "{\"end\":{\"tasks\":3,\"messages\":3}}",
                "");
        Strata target = strata("target");

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> importText(target, file));

        if (thrown != null) {
            assertThat(thrown).isInstanceOf(InvalidInputException.class);
            assertThat(target.store().task("t-a")).isEmpty();
        } else {
            assertThat(target.store().list("t-a", MessageQuery.all()).messages())
                    .extracting(TaskMessage::content)
                    .containsExactly("a1", "a2");
        }
    }

    /** Odd Unicode, U+0000, CRLF line ends and a 20 MB message survive export then import exactly. */
    @Test
    void exportThenImport_withCrlfLineEnds_oddUnicodeAndAHugeMessage_isExact() {
        Strata source = strata("source");
        String workspace = source.directory().createWorkspace("w").id();
        source.store().createTask("t-u");
        source.directory().createTask("t-u", workspace, Optional.empty(), "p");
        List<TaskMessage> messages = List.of(
                message(
                        "t-u",
                        1,
                        "nul\u0000 emoji \uD83D\uDE00 rtl \u202E bom \uFEFF line\u2028sep \r\n",
                        Optional.of("{\"a\":-0,\"b\":1e400,\"c\":\"\\u0000\"}")),
                message("t-u", 2, "x".repeat(20 << 20), Optional.empty()));
        source.store().importMessages("t-u", messages);
        String text = exportOf(source, "t-u").replace("\n", "\r\n");

        Strata target = strata("target");
        importText(target, text);

        List<TaskMessage> back = target.store().list("t-u", MessageQuery.all()).messages();
        assertThat(back).hasSize(2);
        assertThat(back.get(0)).isEqualTo(messages.get(0));
        assertThat(back.get(1).content()).isEqualTo(messages.get(1).content());
    }

    /** A deleted task's export imported again: its messages are back, and stay after housekeeping. */
    @Test
    void import_ofADeletedTasksExport_bringsItBackForGood() {
        Strata strata = strata("one");
        String workspace = strata.directory().createWorkspace("w").id();
        strata.store().createTask("t-d");
        strata.directory().createTask("t-d", workspace, Optional.empty(), "p");
        strata.store()
                .importMessages(
                        "t-d",
                        List.of(
                                message("t-d", 1, "one", Optional.empty()),
                                message("t-d", 2, "two", Optional.empty())));
        String text = exportOf(strata, "t-d");
        strata.directory().deleteTasks(List.of("t-d"));
        strata.store().delete(List.of("t-d"));

        importText(strata, text);
        strata.store().purgePendingDeletions();

        assertThat(strata.store().list("t-d", MessageQuery.all()).messages())
                .extracting(TaskMessage::content)
                .containsExactly("one", "two");
    }
}
