package dev.strata.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SseReaderTest {
    @Test
    void events_areReadWithTheirNameIdAndJoinedData_whateverTheLineEndings() throws IOException {
        List<SseReader.Event> events = readAll("retry: 2000\r\n\r\n: keepalive\n\nevent: message\rid: c1\r"
                + "data: {\"a\":\r\ndata:1}\n\nevent: end\ndata: {\"status\":\"completed\"}\n\n");

        assertThat(events)
                .containsExactly(
                        new SseReader.Event("message", Optional.of("c1"), "{\"a\":\n1}"),
                        new SseReader.Event("end", Optional.of("c1"), "{\"status\":\"completed\"}"));
    }

    @Test
    void anEventWithoutData_isNotDispatched_andAnUnnamedOneIsAMessage() throws IOException {
        assertThat(readAll("event: ping\nid: 7\n\ndata: x\n\nfield-unknown: y\n"))
                .containsExactly(new SseReader.Event("message", Optional.of("7"), "x"));
    }

    @Test
    void retry_isTheLastValidValueTheServerSent() throws IOException {
        SseReader reader = reader("retry: 2000\n\nretry: soon\n\n");
        assertThat(reader.next()).isEmpty();
        assertThat(reader.retryMillis()).hasValue(2000);
    }

    private static List<SseReader.Event> readAll(String text) throws IOException {
        SseReader reader = reader(text);
        List<SseReader.Event> events = new ArrayList<>();
        for (var event = reader.next(); event.isPresent(); event = reader.next()) {
            events.add(event.get());
        }
        return events;
    }

    private static SseReader reader(String text) {
        return new SseReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }
}
