package dev.strata.server;

import java.util.UUID;

/**
 * Names Strata instances for the job lease table: the host (from {@code HOSTNAME}, as containers
 * set it), the process id and a random part, so that two instances never share a name, even two in
 * one JVM (as in tests), and an operator can tell from the table which machine holds a job.
 */
final class InstanceIds {
    private InstanceIds() {}

    static String next() {
        String host = System.getenv().getOrDefault("HOSTNAME", "host").replaceAll("[^A-Za-z0-9._-]", "");
        if (host.isEmpty() || host.length() > 64) {
            host = "host";
        }
        return host + "-" + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }
}
