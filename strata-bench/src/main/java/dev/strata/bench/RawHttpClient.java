package dev.strata.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * A lean blocking HTTP/1.1 client for the ingest sweep: POSTs over one keep-alive socket, one
 * request at a time, the way {@code wrk} drives a server. The sweep runs its clients in the
 * server's JVM on two cores, and the JDK's {@code HttpClient} (a selector thread, an asynchronous
 * pipeline, many objects per request) took a noticeable share of that CPU from the server under
 * test. Here a request is one write of a reused buffer (a head encoded once per {@link Post}, the
 * Content-Length, the body), and a response is parsed only as far as needed: the status line, the
 * headers that frame the body, and the body itself (by Content-Length, chunked, or up to the
 * connection's end), read and discarded.
 *
 * <p>After any failure the connection is closed and the next {@link #post} opens a new one; a
 * request is never retried. Not thread-safe: one instance per connection, confined to one thread.
 */
final class RawHttpClient implements AutoCloseable {
    private static final byte[] CRLF_CRLF = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Longest status or header line accepted; Jetty's own default header limit is 8 KiB. */
    private static final int MAX_LINE = 8 * 1024;

    /**
     * Where a POST goes and its headers, with its head (request line, Host, the headers, the
     * Content-Length name) encoded once, so each request only adds the length and the body. A
     * class rather than a record so the encoding is made once. Immutable and thread-safe.
     */
    static final class Post {
        private final String host;
        private final int port;
        private final byte[] head;

        private Post(String host, int port, byte[] head) {
            this.host = host;
            this.port = port;
            this.head = head;
        }

        /**
         * A POST to {@code uri} (http only, with an explicit port) with {@code headers} besides Host
         * and Content-Length, which the client sets.
         *
         * @throws IllegalArgumentException for another scheme, a missing host or port, a header the
         *     client sets itself, or a line break in a header
         */
        static Post to(URI uri, Map<String, String> headers) {
            requireNonNull(uri, "uri is null");
            requireNonNull(headers, "headers is null");
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
                throw new IllegalArgumentException("expected http://host:port/path, got " + uri);
            }
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            StringBuilder head = new StringBuilder(256)
                    .append("POST ")
                    .append(path)
                    .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                    .append(" HTTP/1.1\r\nHost: ")
                    .append(uri.getHost())
                    .append(':')
                    .append(uri.getPort())
                    .append("\r\n");
            headers.forEach((name, value) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.equals("host") || lower.equals("content-length") || lower.equals("transfer-encoding")) {
                    throw new IllegalArgumentException("the client sets " + name + " itself");
                }
                if (name.isEmpty() || (name + value).indexOf('\r') >= 0 || (name + value).indexOf('\n') >= 0) {
                    // The value is left out of the message: it may be a token.
                    throw new IllegalArgumentException("header '" + name + "' is empty or holds a line break");
                }
                head.append(name).append(": ").append(value).append("\r\n");
            });
            head.append("Content-Length: ");
            return new Post(uri.getHost(), uri.getPort(), head.toString().getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    /** The server closed the connection before a complete response; the request may or may not have taken effect. */
    static final class ConnectionClosedException extends IOException {
        ConnectionClosedException(String message) {
            super(message);
        }
    }

    private final int timeoutMillis;
    /** Input read from the socket; {@code [inputStart, inputEnd)} is not consumed yet. */
    private final byte[] input = new byte[16 * 1024];

    private int inputStart;
    private int inputEnd;
    /** The request being sent; grown to the largest request seen. */
    private byte[] request = new byte[32 * 1024];

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private Post connectedFor;
    private long connectionsOpened;

    /** @param timeout for connecting, and for each wait on the server while sending or reading */
    RawHttpClient(Duration timeout) {
        this.timeoutMillis = Math.toIntExact(timeout.toMillis());
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /**
     * Sends one POST and reads its whole response, whose body is discarded. Reuses the open
     * connection if it goes to the same server, else opens one.
     *
     * @return the final status code, once the complete response has been read
     * @throws ConnectionClosedException if the server closed the connection before a complete response
     * @throws IOException if connecting, sending or reading fails, times out, or the response is
     *     malformed; the connection is closed then, and the next post opens a new one
     */
    int post(Post post, byte[] body) throws IOException {
        if (socket != null && (connectedFor.port != post.port || !connectedFor.host.equals(post.host))) {
            disconnect();
        }
        try {
            if (socket == null) {
                connect(post);
            }
            int length = encode(post, body); // before reading the field: encoding may grow the buffer
            out.write(request, 0, length);
            return readResponse();
        } catch (IOException | RuntimeException e) {
            disconnect();
            throw e;
        }
    }

    /** Connections opened so far: the first, and one after each closed or failed one. */
    long connectionsOpened() {
        return connectionsOpened;
    }

    @Override
    public void close() {
        disconnect();
    }

    private void connect(Post post) throws IOException {
        Socket opened = new Socket();
        try {
            opened.setTcpNoDelay(true);
            opened.connect(new InetSocketAddress(post.host, post.port), timeoutMillis);
            opened.setSoTimeout(timeoutMillis);
            in = opened.getInputStream();
            out = opened.getOutputStream();
        } catch (IOException e) {
            opened.close();
            throw e;
        }
        socket = opened;
        connectedFor = post;
        inputStart = 0;
        inputEnd = 0;
        connectionsOpened++;
    }

    private void disconnect() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // Nothing to do: the connection is dropped either way.
            }
            socket = null;
            in = null;
            out = null;
            connectedFor = null;
        }
    }

    /** Writes head, length and body into {@link #request}; returns the request's length. */
    private int encode(Post post, byte[] body) {
        byte[] length = Integer.toString(body.length).getBytes(StandardCharsets.US_ASCII);
        int total = post.head.length + length.length + CRLF_CRLF.length + body.length;
        if (request.length < total) {
            request = new byte[Math.max(total, request.length * 2)];
        }
        int at = 0;
        System.arraycopy(post.head, 0, request, at, post.head.length);
        at += post.head.length;
        System.arraycopy(length, 0, request, at, length.length);
        at += length.length;
        System.arraycopy(CRLF_CRLF, 0, request, at, CRLF_CRLF.length);
        at += CRLF_CRLF.length;
        System.arraycopy(body, 0, request, at, body.length);
        return total;
    }

    private int readResponse() throws IOException {
        while (true) {
            int status = parseStatus(readLine());
            long contentLength = -1;
            boolean chunked = false;
            boolean closeAfter = false;
            for (String line = readLine(); !line.isEmpty(); line = readLine()) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new ProtocolException("malformed header line: " + line);
                }
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                if (name.equalsIgnoreCase("content-length")) {
                    contentLength = parseLength(value);
                } else if (name.equalsIgnoreCase("transfer-encoding")) {
                    // Chunked is the last coding whenever it is used (RFC 9112, 6.1).
                    chunked = value.endsWith("chunked");
                } else if (name.equalsIgnoreCase("connection")) {
                    closeAfter |= Arrays.asList(value.split("\\s*,\\s*")).contains("close");
                }
            }
            if (status < 200) {
                continue; // an interim response (100 Continue); the final one follows
            }
            if (status == 204 || status == 304) {
                // No body, whatever the headers say.
            } else if (chunked) {
                skipChunkedBody();
            } else if (contentLength >= 0) {
                skip(contentLength);
            } else {
                skipToEnd(); // neither length nor chunked: the body ends with the connection
                closeAfter = true;
            }
            if (closeAfter) {
                disconnect();
            }
            return status;
        }
    }

    private static int parseStatus(String line) throws ProtocolException {
        // "HTTP/1.1 200 OK"; the reason phrase may be empty or missing.
        if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') {
            throw new ProtocolException("malformed status line: " + line);
        }
        try {
            int status = Integer.parseInt(line.substring(9, 12));
            if (status < 100 || (line.length() > 12 && line.charAt(12) != ' ')) {
                throw new ProtocolException("malformed status line: " + line);
            }
            return status;
        } catch (NumberFormatException e) {
            throw new ProtocolException("malformed status line: " + line);
        }
    }

    private static long parseLength(String value) throws ProtocolException {
        try {
            long length = Long.parseLong(value);
            if (length < 0) {
                throw new ProtocolException("negative Content-Length: " + value);
            }
            return length;
        } catch (NumberFormatException e) {
            throw new ProtocolException("malformed Content-Length: " + value);
        }
    }

    private void skipChunkedBody() throws IOException {
        while (true) {
            String sizeLine = readLine();
            int extension = sizeLine.indexOf(';');
            String hex = (extension >= 0 ? sizeLine.substring(0, extension) : sizeLine).trim();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new ProtocolException("malformed chunk size: " + sizeLine);
            }
            if (size < 0) {
                throw new ProtocolException("malformed chunk size: " + sizeLine);
            }
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailer fields, ignored
                }
                return;
            }
            skip(size);
            if (!readLine().isEmpty()) {
                throw new ProtocolException("chunk of " + size + " bytes not followed by CRLF");
            }
        }
    }

    /** The next line, without its CRLF (or bare LF), as ISO-8859-1. */
    private String readLine() throws IOException {
        int scanned = inputStart;
        while (true) {
            for (int i = scanned; i < inputEnd; i++) {
                if (input[i] == '\n') {
                    int end = i > inputStart && input[i - 1] == '\r' ? i - 1 : i;
                    String line = new String(input, inputStart, end - inputStart, StandardCharsets.ISO_8859_1);
                    inputStart = i + 1;
                    return line;
                }
            }
            if (inputEnd - inputStart >= MAX_LINE) {
                throw new ProtocolException("response line longer than " + MAX_LINE + " bytes");
            }
            scanned = inputEnd - inputStart; // where the scan resumes once compacted
            compact();
            if (!fill()) {
                throw new ConnectionClosedException(
                        inputEnd > inputStart
                                ? "connection closed in the middle of a response line"
                                : "connection closed before a complete response");
            }
        }
    }

    private void skip(long bytes) throws IOException {
        long left = bytes;
        while (left > 0) {
            if (inputStart == inputEnd) {
                compact();
                if (!fill()) {
                    throw new ConnectionClosedException(
                            "connection closed with " + left + " of " + bytes + " body bytes unread");
                }
            }
            int taken = (int) Math.min(left, inputEnd - inputStart);
            inputStart += taken;
            left -= taken;
        }
    }

    private void skipToEnd() throws IOException {
        do {
            inputStart = 0;
            inputEnd = 0;
        } while (fill());
    }

    /** Moves the unconsumed input to the buffer's start. */
    private void compact() {
        if (inputStart > 0) {
            System.arraycopy(input, inputStart, input, 0, inputEnd - inputStart);
            inputEnd -= inputStart;
            inputStart = 0;
        }
    }

    /** Reads more input after {@link #inputEnd}; false at the end of the stream. */
    private boolean fill() throws IOException {
        int read = in.read(input, inputEnd, input.length - inputEnd);
        if (read < 0) {
            return false;
        }
        inputEnd += read;
        return true;
    }
}
