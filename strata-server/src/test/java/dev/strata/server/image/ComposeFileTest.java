package dev.strata.server.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.strata.server.config.UnknownVariables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code compose.yaml} parses, runs Strata on PostgreSQL, MinIO and Redis, and names only
 * {@code STRATA_*} variables that Strata reads and the README's configuration table documents; and
 * that table documents exactly the variables Strata reads.
 */
class ComposeFileTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern VARIABLE = Pattern.compile("STRATA_[A-Z0-9_]+");
    /** Read only by the test suite; the README's "Test" section describes them. */
    private static final Set<String> TEST_ONLY = Set.of("STRATA_TEST", "STRATA_TEST_PG_URL", "STRATA_TEST_REDIS_URL");

    private static JsonNode compose() throws IOException {
        return new ObjectMapper(new YAMLFactory())
                .readTree(ROOT.resolve("compose.yaml").toFile());
    }

    /** The variables named in the first column of the README's configuration table. */
    private static Set<String> documented() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String section = readme.substring(readme.indexOf("\n## Configuration"));
        section = section.substring(0, section.indexOf("\n## ", 1));
        Set<String> names = new TreeSet<>();
        section.lines().filter(line -> line.startsWith("| `STRATA_")).forEach(line -> {
            Matcher matcher = VARIABLE.matcher(line.substring(0, line.indexOf(" |", 2)));
            while (matcher.find()) {
                names.add(matcher.group());
            }
        });
        return names;
    }

    @Test
    void strataRuns_onPostgresMinioAndRedis() throws IOException {
        JsonNode services = compose().get("services");

        assertThat(services.has("postgres")).isTrue();
        assertThat(services.has("minio")).isTrue();
        assertThat(services.has("redis")).isTrue();
        JsonNode strata = services.get("strata");
        assertThat(strata.get("image").asText()).startsWith("strata:");
        assertThat(strata.get("depends_on").has("postgres")).isTrue();
        assertThat(strata.get("depends_on").has("redis")).isTrue();
        JsonNode environment = strata.get("environment");
        assertThat(environment.get("STRATA_DB_URL").asText()).startsWith("jdbc:postgresql://postgres:");
        assertThat(environment.get("STRATA_CONTENT_URL").asText()).startsWith("s3://");
        assertThat(environment.get("STRATA_S3_ENDPOINT").asText()).isEqualTo("http://minio:9000");
        assertThat(environment.get("STRATA_CACHE_URL").asText()).startsWith("redis://redis:");
    }

    @Test
    void composeNamesOnlyDocumentedVariables_thatStrataReads() throws IOException {
        Set<String> named = new TreeSet<>();
        compose().get("services").get("strata").get("environment").fieldNames().forEachRemaining(named::add);
        Matcher anywhere = VARIABLE.matcher(Files.readString(ROOT.resolve("compose.yaml")));
        while (anywhere.find()) {
            named.add(anywhere.group());
        }

        assertThat(named).isNotEmpty();
        assertThat(documented()).containsAll(named);
        assertThat(UnknownVariables.known()).containsAll(named);
    }

    @Test
    void theReadmeTable_documentsExactlyTheVariablesStrataReads() throws IOException {
        Set<String> read = new TreeSet<>(UnknownVariables.known());
        read.removeAll(TEST_ONLY);

        assertThat(documented()).isEqualTo(read);
    }
}
