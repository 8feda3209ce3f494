package dev.strata.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The API's {@code openapi.json} as a test oracle: which operations it documents, and whether a
 * real response (status, content type, headers, JSON body) is what it documents. Bodies are
 * checked with JSON Schema 2020-12, the dialect of OpenAPI 3.1, with the document itself as the
 * schema resource so {@code #/components/schemas/...} references resolve. Not thread-safe.
 */
final class OpenApiContract {
    private static final String DOCUMENT_ID = "https://strata.test/openapi.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String text;
    private final JsonNode document;
    private final SchemaRegistry schemas;

    private OpenApiContract(String text) throws IOException {
        this.text = text;
        this.document = MAPPER.readTree(text);
        this.schemas = SchemaRegistry.withDefaultDialect(
                SpecificationVersion.DRAFT_2020_12, builder -> builder.schemas(Map.of(DOCUMENT_ID, text)));
    }

    /** The document as the server's class path holds it. */
    static OpenApiContract load() {
        try (InputStream in = OpenApiContract.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is not on the class path");
            }
            return new OpenApiContract(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String text() {
        return text;
    }

    JsonNode document() {
        return document;
    }

    /** Every documented operation as {@code "GET /api/tasks/{id}"}. */
    Set<String> operations() {
        Set<String> operations = new TreeSet<>();
        document.get("paths")
                .properties()
                .forEach(path -> path.getValue()
                        .fieldNames()
                        .forEachRemaining(
                                method -> operations.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey())));
        return operations;
    }

    /**
     * What in {@code response} the document does not allow for this operation: an undocumented
     * status, content type or header, or a JSON body its schema refuses. Empty when it conforms.
     */
    List<String> violations(String method, String pathTemplate, ApiClient.Response response) {
        String operation = "/paths/" + escape(pathTemplate) + "/" + method.toLowerCase(Locale.ROOT);
        if (document.at(operation).isMissingNode()) {
            return List.of(method + " " + pathTemplate + " is not documented");
        }
        String responsePointer = operation + "/responses/" + response.status();
        JsonNode documented = document.at(responsePointer);
        if (documented.isMissingNode()) {
            return List.of(method + " " + pathTemplate + ": status " + response.status() + " is not documented");
        }
        if (documented.has("$ref")) {
            responsePointer = documented.get("$ref").asText().substring(1);
            documented = document.at(responsePointer);
        }
        List<String> violations = new ArrayList<>();
        String contentType = response.header("Content-Type").orElse("");
        if (!documented.path("content").has(contentType)) {
            violations.add("content type " + contentType + " is not documented for status " + response.status());
            return violations;
        }
        for (String header : List.of("X-Has-More", "Cache-Control", "X-Accel-Buffering")) {
            if (response.header(header).isPresent()
                    && !documented.path("headers").has(header)) {
                violations.add("header " + header + " is not documented for status " + response.status());
            }
        }
        if (contentType.equals("application/json")) {
            String schemaPointer = responsePointer + "/content/" + escape(contentType) + "/schema";
            violations.addAll(violations(schemaPointer, response.text()));
        }
        return violations;
    }

    /** What the schema at {@code pointer} (a JSON pointer into the document) finds wrong with {@code json}. */
    List<String> violations(String pointer, String json) {
        Schema schema = schemas.getSchema(SchemaLocation.of(DOCUMENT_ID + "#" + pointer));
        List<String> messages = new ArrayList<>();
        for (Iterator<Error> errors = schema.validate(json, InputFormat.JSON).iterator(); errors.hasNext(); ) {
            messages.add(errors.next().toString());
        }
        return messages;
    }

    private static String escape(String pointerToken) {
        return pointerToken.replace("~", "~0").replace("/", "~1");
    }
}
