package dev.strata.server.cli;

import dev.strata.model.BackendUnavailableException;
import dev.strata.model.InvalidInputException;
import dev.strata.server.config.ConfigException;
import io.javalin.util.JavalinBindException;
import picocli.CommandLine;

/** Prints expected failures as one line on stderr; only unexpected ones get a stack trace. */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    static final int USAGE = 2;
    static final int UNAVAILABLE = 3;

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        var err = commandLine.getErr();
        switch (e) {
            case ConfigException config -> {
                err.println("strata: configuration error: " + config.getMessage());
                return USAGE;
            }
            case InvalidInputException invalid -> {
                err.println("strata: " + invalid.getMessage());
                return USAGE;
            }
            case JavalinBindException bind -> {
                // The port is taken or the address is not this machine's: the operator's to fix, no bug.
                err.println("strata: cannot listen (STRATA_HOST, STRATA_PORT): " + bind.getMessage());
                return USAGE;
            }
            case BackendUnavailableException unavailable -> {
                err.println("strata: backend unavailable: " + unavailable.getMessage());
                return UNAVAILABLE;
            }
            default -> {
                e.printStackTrace(err);
                return 1;
            }
        }
    }
}
