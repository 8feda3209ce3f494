package dev.strata.server.cli;

import dev.strata.server.Strata;
import dev.strata.server.migrate.Finalizer;
import dev.strata.server.migrate.Importer;
import dev.strata.server.migrate.MigrationSources;
import dev.strata.server.migrate.Verifier;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code strata migrate import|verify|finalize}: move a legacy single-table database into Strata. */
@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        description = "Import, verify and shrink a legacy single-table database.",
        subcommands = {MigrateCommand.Import.class, MigrateCommand.Verify.class, MigrateCommand.Finalize.class})
final class MigrateCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    @Command(
            name = "import",
            mixinStandardHelpOptions = true,
            description =
                    "Import every legacy message into the configured tiers; re-runs resume, then sync only new rows.")
    static final class Import implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--from",
                required = true,
                description = "Legacy database: jdbc:sqlite:FILE or jdbc:postgresql://...")
        String from;

        @Option(
                names = "--default-workspace",
                description =
                        "Workspace for tasks the legacy database does not place (required without agent_task_queue).")
        String defaultWorkspace;

        @Option(names = "--dry-run", description = "Read everything, write nothing, print what would be imported.")
        boolean dryRun;

        @Option(names = "--offset", defaultValue = "0", description = "Skip the first N tasks in task-id order.")
        long offset;

        @Option(
                names = "--batch-size",
                defaultValue = "1000",
                description = "Task ids per legacy page (default: ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(
                names = "--concurrency",
                defaultValue = "" + Importer.DEFAULT_CONCURRENCY,
                description = "Tasks imported at once (default: ${DEFAULT-VALUE}).")
        int concurrency;

        @Option(names = "--keep-all-types", description = "Also import types the drop policy discards (log, status).")
        boolean keepAllTypes;

        @Override
        public Integer call() {
            try (Strata strata = Strata.open(Environment.config())) {
                AtomicReference<Progress> progress = new AtomicReference<>();
                Importer.Summary summary;
                try {
                    summary = strata.importer()
                            .run(
                                    new Importer.Options(
                                            from,
                                            Optional.ofNullable(defaultWorkspace),
                                            dryRun,
                                            offset,
                                            batchSize,
                                            concurrency,
                                            keepAllTypes),
                                    total -> progress.set(Progress.onStderr("import", "rows", total)),
                                    read -> progress.get().update(read));
                } finally {
                    if (progress.get() != null) {
                        progress.get().close();
                    }
                }
                PrintWriter out = spec.commandLine().getOut();
                out.print(summary.describe());
                out.flush();
                return 0;
            }
        }
    }

    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description = "Compare every legacy row with what Strata serves; exit 0 only if all match.")
    static final class Verify implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--from", required = true, description = "Legacy database URL, as given to import.")
        String from;

        @Option(
                names = "--default-workspace",
                description = "As given to import: tasks missing from agent_task_queue are expected only with it.")
        String defaultWorkspace;

        @Option(names = "--keep-all-types", description = "The import used --keep-all-types.")
        boolean keepAllTypes;

        @Override
        public Integer call() {
            try (Strata strata = Strata.open(Environment.config())) {
                Verifier.Result result;
                try (Progress progress = Progress.onStderr("verify", "rows", -1)) {
                    result = strata.verifier()
                            .run(from, Optional.ofNullable(defaultWorkspace), keepAllTypes, progress::update);
                }
                PrintWriter out = spec.commandLine().getOut();
                out.printf(
                        Locale.ROOT,
                        "tasks: %,d%nrows checked: %,d%nmatched: %,d%nmissing: %,d%nmismatched: %,d%nunexpected: %,d%n",
                        result.tasks(),
                        result.rowsChecked(),
                        result.matched(),
                        result.missing(),
                        result.mismatched(),
                        result.unexpected());
                out.printf(
                        Locale.ROOT,
                        "tasks skipped (not in agent_task_queue, checked absent): %,d (%,d rows)%s%n",
                        result.tasksSkipped(),
                        result.rowsSkipped(),
                        result.tasksSkipped() > 0 ? "; " + Verifier.INCLUDE_HINT : "");
                result.examples().forEach(line -> out.println("  " + line));
                out.println(result.passed() ? "status: verified" : "status: mismatches found");
                out.flush();
                if (result.passed()) {
                    MigrationSources.recordVerified(strata.database(), from, result);
                }
                return result.passed() ? 0 : 1;
            }
        }
    }

    @Command(
            name = "finalize",
            mixinStandardHelpOptions = true,
            description = "Rebuild the legacy task_message without content, input and output, then reclaim space.")
    static final class Finalize implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--from", required = true, description = "Legacy database URL.")
        String from;

        @Option(names = "--force", description = "Run without a recorded passing verify.")
        boolean force;

        @Override
        public Integer call() {
            try (Strata strata = Strata.open(Environment.config())) {
                MigrationSources.requireVerified(strata.database(), from, force);
            }
            Finalizer.Result result = Finalizer.run(from);
            PrintWriter out = spec.commandLine().getOut();
            out.printf(
                    Locale.ROOT,
                    "size before: %,d bytes%nsize after: %,d bytes%n",
                    result.bytesBefore(),
                    result.bytesAfter());
            out.flush();
            return 0;
        }
    }
}
