package dev.strata.server.cli;

import com.github.luben.zstd.ZstdIOException;
import com.github.luben.zstd.ZstdInputStream;
import dev.strata.model.InvalidInputException;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.export.ExportImporter;
import dev.strata.server.export.ExportLine;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code strata import --from FILE.jsonl[.zst]}: loads a file {@code strata export} wrote into the
 * configured Strata. The file is read twice: once to check all of it (a malformed or truncated
 * file changes nothing), then to import, so memory stays constant whatever its size. Re-running
 * it imports nothing twice.
 */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = "Load a file written by strata export (tasks, their ids, statuses and messages).")
final class ImportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--from", required = true, description = "FILE.jsonl or FILE.jsonl.zst, as export wrote it.")
    Path from;

    @Override
    public Integer call() throws IOException {
        try {
            return importFile();
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("cannot read " + from + ": no such file");
        } catch (AccessDeniedException e) {
            throw new InvalidInputException("cannot read " + from + ": permission denied");
        } catch (ZstdIOException e) {
            throw new InvalidInputException("cannot read " + from + ": not zstd-compressed (" + e.getMessage() + ")");
        } catch (UncheckedIOException e) {
            IOException cause = e.getCause();
            if (cause instanceof ZstdIOException) {
                throw new InvalidInputException(
                        "cannot read " + from + ": not zstd-compressed (" + cause.getMessage() + ")");
            }
            throw new InvalidInputException("cannot read " + from + ": " + cause.getMessage());
        }
    }

    private int importFile() throws IOException {
        ExportLine.EndLine expected;
        try (BufferedReader in = open()) {
            expected = ExportImporter.check(in);
        }
        try (Strata strata = Strata.open(StrataConfig.fromEnvironment(System.getenv()));
                BufferedReader in = open();
                Progress progress = Progress.onStderr("import", "messages", expected.messages())) {
            var summary = new ExportImporter(strata.store(), strata.directory()).run(in, progress::update);
            spec.commandLine()
                    .getOut()
                    .printf(
                            "tasks: %d%nmessages: %d%nimported: %d%nalready present: %d%n",
                            summary.tasks(), summary.messages(), summary.imported(), summary.duplicates());
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    private BufferedReader open() throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(from), 1 << 16);
        if (from.getFileName().toString().endsWith(".zst")) {
            in = new ZstdInputStream(in);
        }
        // Strict: bytes that are not UTF-8 are an error, not U+FFFD in the imported text.
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        return new BufferedReader(new InputStreamReader(in, decoder), 1 << 16);
    }
}
