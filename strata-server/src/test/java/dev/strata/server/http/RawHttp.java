package dev.strata.server.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no well-behaved client sends: malformed paths and
 * framing, huge URIs and headers, bodies that stall or stop half-way.
 */
final class RawHttp {
    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    /** A response as read off the wire; {@code status} is 0 when the server closed without one. */
    record Response(int status, Map<String, String> headers, String body) {
        boolean isJsonError() {
            return headers.getOrDefault("content-type", "").startsWith("application/json")
                    && body.matches("(?s)\\{\"error\":\".*\"}");
        }
    }

    /** Opens a connection for a request sent in parts. */
    Socket open() {
        try {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code request} whole and reads one response. */
    Response exchange(byte[] request) {
        try (Socket socket = open()) {
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return read(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Response exchange(String request) {
        return exchange(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    static void send(Socket socket, String data) {
        try {
            socket.getOutputStream().write(data.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one response: status line, headers, then Content-Length bytes or up to the close. */
    static Response read(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            String statusLine;
            Map<String, String> headers;
            do {
                // Interim answers (100 Continue) come before the response proper.
                statusLine = line(in);
                if (statusLine == null) {
                    return new Response(0, Map.of(), "");
                }
                headers = new LinkedHashMap<>();
                for (String header; (header = line(in)) != null && !header.isEmpty(); ) {
                    int colon = header.indexOf(':');
                    headers.put(
                            header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            header.substring(colon + 1).trim());
                }
            } while (statusLine.split(" ")[1].startsWith("1"));
            byte[] body;
            if (headers.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            } else {
                body = in.readAllBytes();
            }
            return new Response(
                    Integer.parseInt(statusLine.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no response within the socket timeout", e);
        } catch (IOException e) {
            // A reset after the server gave up on the request counts as no response.
            return new Response(0, Map.of(), "");
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1; ) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
}
