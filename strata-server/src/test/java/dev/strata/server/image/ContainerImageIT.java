package dev.strata.server.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image tarball Jib wrote ({@code mvn -P image ... verify}, system property
 * {@code strata.image.tar}): its configuration runs {@code strata serve} as an unprivileged user on
 * port 8080 with the documented labels, and its files hold the server and a writable data directory.
 */
class ContainerImageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode config;
    private static Map<String, TarEntries.Entry> files;

    @BeforeAll
    static void readImage() throws IOException {
        String tarball = System.getProperty("strata.image.tar");
        assertThat(tarball).as("system property strata.image.tar").isNotBlank();
        Map<String, TarEntries.Entry> image;
        try (InputStream in = Files.newInputStream(Path.of(tarball))) {
            image = TarEntries.read(in);
        }
        JsonNode manifest = JSON.readTree(image.get("manifest.json").content()).get(0);
        config = JSON.readTree(image.get(manifest.get("Config").asText()).content())
                .get("config");
        files = new HashMap<>();
        for (JsonNode layer : manifest.get("Layers")) {
            try (InputStream in = new GZIPInputStream(
                    new java.io.ByteArrayInputStream(image.get(layer.asText()).content()))) {
                files.putAll(TarEntries.read(in));
            }
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    @Test
    void entrypoint_runsTheServer() {
        assertThat(strings(config.get("Entrypoint")))
                .startsWith("java")
                .contains("--enable-native-access=ALL-UNNAMED", "dev.strata.server.cli.StrataCommand");
        assertThat(strings(config.get("Cmd"))).containsExactly("serve");
        assertThat(config.get("WorkingDir").asText()).isEqualTo("/var/lib/strata");
    }

    @Test
    void theServerRunsAsAnUnprivilegedUser() {
        String user = config.get("User").asText();
        assertThat(user).isEqualTo("65532:65532");
        assertThat(user.split(":")).noneMatch(id -> id.equals("0") || id.equals("root"));
    }

    @Test
    void port8080_isExposed_andLabelsNameTheImageAndItsProbes() {
        assertThat(config.get("ExposedPorts").has("8080/tcp")).isTrue();
        JsonNode labels = config.get("Labels");
        assertThat(labels.get("org.opencontainers.image.title").asText()).isEqualTo("Strata");
        assertThat(labels.get("org.opencontainers.image.version").asText()).isNotBlank();
        assertThat(labels.get("org.opencontainers.image.description").asText()).isNotBlank();
        assertThat(labels.get("dev.strata.probe.liveness").asText()).isEqualTo("/healthz");
        assertThat(labels.get("dev.strata.probe.readiness").asText()).isEqualTo("/readyz");
    }

    @Test
    void theDataDirectory_isWritableByTheUnprivilegedUser() {
        TarEntries.Entry data = files.get("var/lib/strata/data/");
        assertThat(data).as("var/lib/strata/data/ in the layers").isNotNull();
        assertThat(data.type()).isEqualTo('5');
        assertThat(data.mode() & 0777).isEqualTo(0777);
    }

    @Test
    void theClassPath_holdsTheServerAndItsRuntimeLibrariesOnly() {
        String classPath = new String(files.get("app/jib-classpath-file").content(), StandardCharsets.UTF_8);
        assertThat(classPath).contains("/app/classes", "strata-core-", "javalin-", "logback-classic-");
        assertThat(classPath).doesNotContain("junit", "s3proxy", "strata-testkit", "assertj");
        assertThat(files).containsKey("app/resources/logback.xml").containsKey("app/resources/openapi.json");
    }
}
