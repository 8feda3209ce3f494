package dev.strata.server.cli;

import dev.strata.server.config.StrataConfig;
import dev.strata.server.config.UnknownVariables;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration commands run with: read from the process environment, with one WARN line per
 * {@code STRATA_*} variable nothing reads (a misspelt setting would otherwise be silently ignored).
 */
final class Environment {
    private static final Logger log = LoggerFactory.getLogger(Environment.class);

    private Environment() {}

    static StrataConfig config() {
        return config(System.getenv());
    }

    static StrataConfig config(Map<String, String> env) {
        UnknownVariables.warnings(env).forEach(log::warn);
        return StrataConfig.fromEnvironment(env);
    }
}
