package dev.strata.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ClientThroughput} in quick mode, so the figure's program keeps working; no timing is asserted. */
class ClientThroughputTest {
    @TempDir
    static Path directory;

    @Test
    void quickRun_storesEveryMessage_andReportsARate() throws InterruptedException {
        ClientThroughput.Result result = ClientThroughput.run(directory, 10, 30);

        assertThat(result.messages()).isEqualTo(300);
        assertThat(result.messagesPerSecond()).isPositive();
        assertThat(result.toString()).startsWith("10 appenders x 30 messages = 300 messages in ");
    }
}
