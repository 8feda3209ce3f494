package dev.strata.server.cli;

import dev.strata.lifecycle.Fsck;
import dev.strata.lifecycle.FsckReport;
import dev.strata.server.Strata;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code strata fsck [--repair]}: cross-checks metadata, content and cache; exit status 1 while a problem remains. */
@Command(
        name = "fsck",
        mixinStandardHelpOptions = true,
        description =
                "Cross-check the tiers: missing or corrupt content, orphaned objects, forgotten tasks, overdue deletions, bad cache entries.")
final class FsckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--repair",
            description =
                    "Remove orphans and forgotten tasks older than STRATA_ORPHAN_GRACE, finish deletions that are due, drop bad cache entries. Never removes referenced content, nor content still inside STRATA_COMPACTION_GRACE.")
    boolean repair;

    @Option(
            names = "--now",
            description =
                    "With --repair: also finish deletions still inside their grace period (replaced segments a slow reader might still fetch).")
    boolean now;

    @Option(names = "--verbose", description = "List every problem, not only the first 20.")
    boolean verbose;

    @Override
    public Integer call() {
        try (Strata strata = Strata.open(Environment.config())) {
            if (now && !repair) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--now needs --repair");
            }
            Fsck.Mode mode = !repair ? Fsck.Mode.CHECK : now ? Fsck.Mode.REPAIR_NOW : Fsck.Mode.REPAIR;
            FsckReport report;
            try (Progress progress = Progress.onStderr("fsck", "objects", -1)) {
                report = strata.fsck().run(mode, progress::update);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(
                    "tasks: %d%nsegments: %d%nmessages: %d%nmissing segments: %d%ncorrupt segments: %d%nsegment rows disagreeing with message rows: %d%n",
                    report.tasks(),
                    report.segments(),
                    report.messages(),
                    report.missing(),
                    report.corrupt(),
                    report.segmentMismatches());
            out.printf(
                    "orphaned objects: %d (removed %d)%nforgotten tasks: %d (removed %d)%n",
                    report.orphans(), report.orphansRemoved(), report.forgottenTasks(), report.forgottenTasksRemoved());
            out.printf(
                    "scheduled deletions: %d (not a problem)%noverdue deletions: %d (left %d)%ndeletions finished: %d%ncache mismatches: %d (removed %d)%n",
                    report.scheduledDeletions(),
                    report.overdueDeletions(),
                    report.overdueDeletionsLeft(),
                    report.deletionsFinished(),
                    report.cacheMismatches(),
                    report.cacheMismatchesRemoved());
            report.problems().stream()
                    .limit(verbose ? Long.MAX_VALUE : 20)
                    .forEach(problem -> out.println("  " + problem));
            if (!verbose && report.problems().size() > 20) {
                out.println("  ... " + (report.problems().size() - 20) + " more (--verbose lists all)");
            }
            out.println(report.clean() ? "status: clean" : "status: problems remain");
            out.flush();
            return report.clean() ? 0 : 1;
        }
    }
}
