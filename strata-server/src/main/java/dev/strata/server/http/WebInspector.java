package dev.strata.server.http;

import io.javalin.config.StaticFilesConfig;
import io.javalin.http.staticfiles.Location;
import java.util.Map;

/**
 * The web inspector: plain HTML, JavaScript and CSS under {@code /web} in the jar, served at
 * {@code /} (no build step, no separate server). Static files are not routes, so they are not
 * part of the API's OpenAPI document.
 */
final class WebInspector {
    /**
     * Scripts and styles only from the page's own files, requests only to this origin, no frames:
     * should a message ever reach the page as markup, it still could not run a script.
     */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private WebInspector() {}

    static void serve(StaticFilesConfig staticFiles) {
        staticFiles.add(files -> {
            files.hostedPath = "/";
            files.directory = "/web";
            files.location = Location.CLASSPATH;
            files.headers = Map.of(
                    "Content-Security-Policy", CONTENT_SECURITY_POLICY,
                    "X-Content-Type-Options", "nosniff",
                    "Referrer-Policy", "no-referrer",
                    // Small files: always revalidate, so an upgraded server never runs an old script.
                    "Cache-Control", "no-cache");
        });
    }
}
