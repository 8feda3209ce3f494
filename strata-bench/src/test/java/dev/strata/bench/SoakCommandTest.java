package dev.strata.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A few seconds of the soak on embedded backends: the command runs its checks and passes them. */
class SoakCommandTest {
    @Test
    void shortSoak_withFaults_findsAcknowledgedEqualsStoredAndFsckClean() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new BenchCommand())
                    .execute("soak", "--minutes", "0.25", "--writers", "2", "--fault-interval", "4");
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.print(output);

        assertThat(exit).as("soak exit status; output:%n%s", output).isZero();
        assertThat(output).contains("soak: PASS", "fsck: clean", "fault: ");
        assertThat(output).containsPattern("messages acknowledged +[1-9]");
        assertThat(output).containsPattern("acknowledged but not stored +0\\b");
    }
}
