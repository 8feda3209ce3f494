package dev.strata.codec;

import java.io.IOException;

/** Where a body is written: varints and length-prefixed UTF-8 strings. */
interface BodyWriter {
    void varLong(long value) throws IOException;

    void string(String value) throws IOException;
}
