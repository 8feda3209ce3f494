package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.model.MessageQuery;
import dev.strata.model.NewMessage;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.testing.StrataCli;
import dev.strata.server.testing.StrataCli.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export}, {@code import} and {@code segment dump} as an operator runs them: separate processes. */
class ExportCommandTest {
    @TempDir
    Path directory;

    Result strata(String instance, String... args) throws IOException, InterruptedException {
        return StrataCli.run(environment(instance), args);
    }

    Map<String, String> environment(String instance) {
        return Map.of(
                "STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve(instance + ".db"),
                "STRATA_CONTENT_URL", "file:" + directory.resolve(instance + "-objects"),
                "STRATA_LOG_LEVEL", "WARN");
    }

    @Test
    void exportImportAndSegmentDump_fromTheCommandLine() throws Exception {
        try (Strata strata = Strata.open(StrataConfig.fromEnvironment(environment("source")))) {
            String workspace = strata.directory().createWorkspace("w").id();
            strata.store().createTask("t-1");
            strata.directory().createTask("t-1", workspace, Optional.empty(), "p");
            strata.store()
                    .append(
                            "t-1",
                            List.of(
                                    new NewMessage(1, "text", "", "", "hello", Optional.empty(), ""),
                                    new NewMessage(2, "tool-use", "Bash", "c", "", Optional.of("{\"a\":1.50}"), "")));
        }
        Path file = directory.resolve("t.jsonl.zst");

        Result export = strata("source", "export", "--task", "t-1", "--to", file.toString());
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.out()).isEqualTo("tasks: 1\nmessages: 2");
        assertThat(Files.exists(directory.resolve("t.jsonl.zst.partial"))).isFalse();

        Result imported = strata("target", "import", "--from", file.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.out()).isEqualTo("tasks: 1\nmessages: 2\nimported: 2\nalready present: 0");
        try (Strata target = Strata.open(StrataConfig.fromEnvironment(environment("target")))) {
            assertThat(target.store().list("t-1", MessageQuery.all()).messages())
                    .extracting(m -> m.content() + m.input().orElse(""))
                    .containsExactly("hello", "{\"a\":1.50}");
        }

        Result both = strata("source", "export", "--task", "t-1", "--workspace", "w", "--to", file.toString());
        assertThat(both.exitCode()).isEqualTo(2);
        Result unknown = strata(
                "source",
                "export",
                "--task",
                "nope",
                "--to",
                directory.resolve("x.jsonl").toString());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("strata: task not found: nope");
        assertThat(Files.exists(directory.resolve("x.jsonl"))).isFalse();
        Path broken = directory.resolve("broken.jsonl");
        Files.writeString(broken, "{\"task\":{}}\n");
        Result refused = strata("target", "import", "--from", broken.toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).isEqualTo("strata: line 1: a task needs id, workspace_id, status and created_at");

        String key;
        try (Stream<Path> objects = Files.walk(directory.resolve("source-objects"))) {
            Path object = objects.filter(p -> p.toString().endsWith(".seg"))
                    .findFirst()
                    .orElseThrow();
            key = directory.resolve("source-objects").relativize(object).toString();
        }
        Result dump = strata("source", "segment", "dump", key);
        assertThat(dump.exitCode()).as(dump.err()).isZero();
        List<String> lines = dump.out().lines().toList();
        // The object a flush wrote: one frame (the task's one append), its header line, its messages.
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0))
                .startsWith("{\"segment\":{\"key\":\"" + key + "\",\"bytes\":")
                .contains("\"offset\":0,\"task_id\":\"t-1\",\"messages\":2,\"first_seq\":1,\"last_seq\":2}}");
        assertThat(lines.get(2)).contains("\"input\":{\"a\":1.50}");
        Result missing = strata("source", "segment", "dump", "tasks/none/0000000000000000.seg");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("strata: no object tasks/none/0000000000000000.seg in the content tier");
    }
}
