package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The inspector's endpoints on the embedded SQLite file, and the page itself. */
class EmbeddedWorkspaceStatsHttpTest extends AbstractWorkspaceStatsHttpTest {
    @Override
    protected Map<String, String> database() {
        return Map.of();
    }

    @Override
    protected void cleanUp() {}

    @Test
    void inspector_isServedAtTheRootUnderAContentSecurityPolicy() {
        var page = server().api().get("/").send();
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.header("Content-Security-Policy"))
                .hasValueSatisfying(
                        csp -> assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe"));
        assertThat(page.text()).contains("<script src=\"inspector.js\" defer></script>");
        var script = server().api().get("/inspector.js").send();
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.text()).contains("textContent").doesNotContain("innerHTML");

        var unknown = server().api().get("/api/nothing-here").send();
        assertThat(unknown.status())
                .as("unknown paths are still the API's JSON 404")
                .isEqualTo(404);
        assertThat(unknown.error()).isEqualTo("not found");
    }
}
