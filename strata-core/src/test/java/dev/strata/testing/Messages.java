package dev.strata.testing;

import dev.strata.model.NewMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builders of realistic messages for tests. */
public final class Messages {
    private Messages() {}

    public static NewMessage toolUse(long seq) {
        return new NewMessage(
                seq,
                "tool-use",
                "Read",
                "call_" + seq,
                "reading file " + seq,
                Optional.of("{\"path\":\"/src/file" + seq
                        + ".java\",\"limit\":null,\"big\":123456789012345678901234567890}"),
                "");
    }

    public static NewMessage text(long seq, String content) {
        return new NewMessage(seq, "text", "", "", content, Optional.empty(), "");
    }

    /** Messages with seqs {@code from} to {@code to} inclusive, cycling through the common types. */
    public static List<NewMessage> range(long from, long to) {
        List<NewMessage> batch = new ArrayList<>();
        for (long seq = from; seq <= to; seq++) {
            batch.add(
                    switch ((int) (seq % 4)) {
                        case 0 -> toolUse(seq);
                        case 1 ->
                            new NewMessage(
                                    seq,
                                    "tool-result",
                                    "Read",
                                    "call_" + (seq - 1),
                                    "",
                                    Optional.empty(),
                                    "output of " + seq);
                        case 2 ->
                            new NewMessage(seq, "thinking", "", "", "thinking about step " + seq, Optional.empty(), "");
                        default -> text(seq, "text " + seq);
                    });
        }
        return batch;
    }
}
