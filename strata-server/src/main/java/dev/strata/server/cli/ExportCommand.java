package dev.strata.server.cli;

import com.github.luben.zstd.ZstdOutputStream;
import dev.strata.model.InvalidInputException;
import dev.strata.server.Strata;
import dev.strata.server.config.ConfigException;
import dev.strata.server.config.Durations;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.export.ExportWriter;
import dev.strata.server.export.TaskExporter;
import dev.strata.server.workspace.Creation;
import dev.strata.server.workspace.Task;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code strata export --task ID | --workspace W [--since TIME] --to FILE.jsonl[.zst]}: writes tasks
 * and their messages in the export format ({@link ExportWriter}), zstd-compressed when the file name
 * ends in {@code .zst}. The file appears under its name only once complete (it is written beside
 * it first), so a failed export never leaves a file that looks whole.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Write a task's or a workspace's messages as JSON lines (the API's shape); .zst compresses.")
final class ExportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @ArgGroup(multiplicity = "1")
    Scope scope;

    static final class Scope {
        @Option(names = "--task", required = true, description = "One task, by id.")
        String task;

        @Option(names = "--workspace", required = true, description = "Every task of a workspace.")
        String workspace;
    }

    @Option(
            names = "--since",
            description =
                    "Only messages created at or after TIME: RFC 3339 (2026-01-31T00:00:00Z) or an age (7d, 12h).")
    String since;

    @Option(names = "--to", required = true, description = "Output file, FILE.jsonl or FILE.jsonl.zst.")
    Path to;

    @Override
    public Integer call() throws IOException {
        Optional<Instant> from = Optional.ofNullable(since).map(this::parseSince);
        Path partial = to.resolveSibling(to.getFileName() + ".partial");
        try (Strata strata = Strata.open(StrataConfig.fromEnvironment(System.getenv()))) {
            TaskExporter exporter = new TaskExporter(strata.store(), strata.directory());
            long total = -1;
            Optional<Task> task = Optional.empty();
            if (scope.task != null) {
                task = strata.directory().existingTask(scope.task).map(Creation::record);
                if (task.isEmpty()) {
                    throw new InvalidInputException("task not found: " + scope.task);
                }
                total = strata.store()
                        .task(scope.task)
                        .map(s -> s.messageCount())
                        .orElse(0L);
            } else if (strata.directory().workspace(scope.workspace).isEmpty()) {
                throw new InvalidInputException("workspace not found: " + scope.workspace);
            }
            ExportWriter writer;
            try (OutputStream out = open(partial);
                    Progress progress = Progress.onStderr("export", "messages", total)) {
                writer = new ExportWriter(out);
                if (task.isPresent()) {
                    if (!exporter.exportTask(task.get(), from, writer, progress::update)) {
                        throw new InvalidInputException("task not found: " + scope.task);
                    }
                } else {
                    exporter.exportWorkspace(scope.workspace, from, writer, progress::update);
                }
                writer.end();
                progress.update(writer.messages());
            }
            Files.move(partial, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            spec.commandLine().getOut().printf("tasks: %d%nmessages: %d%n", writer.tasks(), writer.messages());
            spec.commandLine().getOut().flush();
            return 0;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private OutputStream open(Path file) throws IOException {
        OutputStream raw;
        try {
            raw = Files.newOutputStream(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("cannot write " + to + ": its directory does not exist");
        } catch (AccessDeniedException e) {
            throw new InvalidInputException("cannot write " + to + ": permission denied");
        } catch (FileSystemException e) {
            throw new InvalidInputException("cannot write " + to + ": " + e.getReason());
        }
        OutputStream out = new BufferedOutputStream(raw, 1 << 16);
        return to.getFileName().toString().endsWith(".zst") ? new ZstdOutputStream(out, 3) : out;
    }

    private Instant parseSince(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notATime) {
            try {
                return Instant.now().minus(Durations.parse("--since", text));
            } catch (ConfigException notAnAge) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--since must be an RFC 3339 time (2026-01-31T00:00:00Z) or an age (7d, 12h), got '" + text
                                + "'");
            }
        }
    }
}
