package dev.strata.server.http;

import java.util.Map;

/** The inspector's endpoints on the embedded SQLite file. */
class EmbeddedWorkspaceStatsHttpTest extends AbstractWorkspaceStatsHttpTest {
    @Override
    protected Map<String, String> database() {
        return Map.of();
    }

    @Override
    protected void cleanUp() {}
}
