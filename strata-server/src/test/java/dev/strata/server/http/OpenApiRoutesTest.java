package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document and the running Javalin app list the same operations: a route added
 * without its description, or a description left behind by a removed route, fails here. The
 * route table is read from the very server {@link Strata#serve} started.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiRoutesTest {
    @TempDir
    static Path directory;

    private Strata strata;
    private HttpServer server;
    private final OpenApiContract contract = OpenApiContract.load();

    @BeforeAll
    void start() throws ReflectiveOperationException {
        strata = Strata.open(StrataConfig.fromEnvironment(Map.of(
                        "STRATA_PORT", "0",
                        "STRATA_HOST", "127.0.0.1",
                        "STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve("strata.db"),
                        "STRATA_CONTENT_URL", "file:" + directory.resolve("objects"),
                        "STRATA_CACHE_URL", "memory")))
                .serve();
        // Strata exposes its port, not its server; the test reads the field rather than widen
        // the composition root's API for a test.
        Field http = Strata.class.getDeclaredField("http");
        http.setAccessible(true);
        server = (HttpServer) http.get(strata);
    }

    @AfterAll
    void stop() {
        strata.close();
    }

    @Test
    void everyRoute_isDocumented_andEveryDocumentedOperation_isARoute() {
        Set<String> routes = server.endpoints().stream()
                .map(endpoint -> endpoint.method.name().toUpperCase(Locale.ROOT) + " " + endpoint.path)
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(routes).as("routes of the running app").contains("GET /openapi.json", "POST /api/tasks");
        assertThat(contract.operations())
                .as("operations in openapi.json (left) against routes of the running app")
                .containsExactlyInAnyOrderElementsOf(routes);
    }

    @Test
    void everyPathParameter_isDeclared() {
        contract.document()
                .get("paths")
                .properties()
                .forEach(path -> path.getValue().properties().forEach(operation -> {
                    Set<String> declared = new TreeSet<>();
                    operation.getValue().path("parameters").forEach(parameter -> {
                        var resolved = parameter.has("$ref")
                                ? contract.document()
                                        .at(parameter.get("$ref").asText().substring(1))
                                : parameter;
                        if (resolved.path("in").asText().equals("path")) {
                            declared.add(resolved.path("name").asText());
                        }
                    });
                    Set<String> inTemplate = new TreeSet<>();
                    var matcher = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(path.getKey());
                    while (matcher.find()) {
                        inTemplate.add(matcher.group(1));
                    }
                    assertThat(declared)
                            .as("path parameters of %s %s", operation.getKey(), path.getKey())
                            .isEqualTo(inTemplate);
                }));
    }

    @Test
    void document_isServedWithoutAuthentication_asJson_exactlyAsKeptInTheRepository() {
        var response = new ApiClient(server.port()).get("/openapi.json").send();

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).contains("application/json");
        assertThat(response.text()).isEqualTo(contract.text());
        assertThat(response.json().get("openapi").asText()).isEqualTo("3.1.0");
    }
}
