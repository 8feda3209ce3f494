package dev.strata.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/strata}: the entry point of every command. */
@Command(
        name = "strata",
        mixinStandardHelpOptions = true,
        version = "strata 0.1.0",
        description = "Tiered storage for AI agent task transcripts.",
        subcommands = {
            ServeCommand.class,
            AdminCommand.class,
            FsckCommand.class,
            MigrateCommand.class,
            ExportCommand.class,
            ImportCommand.class,
            SegmentCommand.class
        })
public final class StrataCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new StrataCommand());
        commandLine.setExecutionExceptionHandler(new ErrorHandler());
        return commandLine;
    }
}
