package dev.strata.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.InvalidInputException;
import dev.strata.model.NewMessage;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Defect 3: type, tool and call id are names kept in metadata, so their size is bounded. */
class NewMessageTest {

    @Test
    void names_atTheirByteLimits_areAccepted() {
        NewMessage message = message("t".repeat(64), "ü".repeat(128), "c".repeat(255) + "x");

        assertThat(message.tool()).as("tool of 128 two-byte characters").hasSize(128);
        assertThat(message("é".repeat(32), "🚀".repeat(64), "").type())
                .as("type of 32 two-byte characters")
                .hasSize(32);
    }

    @Test
    void names_overTheirByteLimits_areRejectedWithTheFieldAndLimit() {
        assertThatThrownBy(() -> message("é".repeat(33), "", ""))
                .as("type of 33 two-byte characters")
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("type: must be at most 64 bytes in UTF-8, got 66");
        assertThatThrownBy(() -> message("text", "x".repeat(1 << 20), ""))
                .as("tool of 1 MiB")
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("tool: must be at most 256 bytes in UTF-8, got 1048576");
        assertThatThrownBy(() -> message("text", "🚀".repeat(64) + "a", ""))
                .as("tool of 64 four-byte characters and one more byte")
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("tool: must be at most 256 bytes in UTF-8, got 257");
        assertThatThrownBy(() -> message("text", "", "€".repeat(86)))
                .as("call id of 86 three-byte characters")
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("call_id: must be at most 256 bytes in UTF-8, got 258");
        assertThatThrownBy(() -> message("t".repeat(65), "", ""))
                .as("type of 65 characters")
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("type must be 1 to 64 characters, got 65");
    }

    @Test
    void names_withNul_areRejected_becausePostgresTextCannotHoldIt() {
        assertThatThrownBy(() -> message("te\u0000xt", "", ""))
                .as("type with NUL")
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("type: must not contain the NUL character (U+0000), found at index 2");
        assertThatThrownBy(() -> message("text", "\u0000", ""))
                .as("tool with NUL")
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("tool: must not contain the NUL character (U+0000), found at index 0");
        assertThatThrownBy(() -> message("text", "", "c\u0000"))
                .as("call id with NUL")
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("call_id: must not contain the NUL character (U+0000), found at index 1");
        assertThat(new NewMessage(1, "text", "", "", "a\u0000b", Optional.empty(), "\u0000").content())
                .as("content with NUL, stored in segments")
                .isEqualTo("a\u0000b");
    }

    private static NewMessage message(String type, String tool, String callId) {
        return new NewMessage(1, type, tool, callId, "", Optional.empty(), "");
    }
}
