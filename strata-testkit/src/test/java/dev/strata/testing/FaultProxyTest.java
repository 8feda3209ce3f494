package dev.strata.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fault proxy in front of an echo server: each fault, and recovery from it. */
class FaultProxyTest {
    private EchoServer echo;
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new EchoServer();
        proxy = new FaultProxy("127.0.0.1", echo.port());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    @Test
    void pass_forwardsBothWays_andCountsConnectionsAndBytes() throws IOException {
        try (Socket client = connect()) {
            assertThat(roundTrip(client, "hello")).isEqualTo("hello");
            assertThat(roundTrip(client, "again")).isEqualTo("again");
        }
        assertThat(proxy.connectionsAccepted()).isEqualTo(1);
        assertThat(proxy.bytesFromClients()).isEqualTo(10);
        assertThat(proxy.bytesToClients()).isEqualTo(10);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(proxy.openConnections())
                        .as("a link closed by its client is forgotten")
                        .isZero());
    }

    @Test
    void latency_delaysEveryRoundTripByAtLeastTwiceTheDelay() throws IOException {
        proxy.latency(Duration.ofMillis(150));
        try (Socket client = connect()) {
            long start = System.nanoTime();
            assertThat(roundTrip(client, "slow")).isEqualTo("slow");
            // A lower bound only: a loaded machine can make it slower, never faster.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            proxy.latency(Duration.ZERO);
            assertThat(roundTrip(client, "fast")).isEqualTo("fast");
        }
    }

    @Test
    void drop_closesOpenConnectionsAndEveryNewOne() throws IOException {
        try (Socket open = connect()) {
            assertThat(roundTrip(open, "before")).isEqualTo("before");
            proxy.drop();
            assertThat(readOrEnd(open))
                    .as("an open connection sees an orderly close")
                    .isEqualTo(-1);
        }
        try (Socket fresh = connect()) {
            assertThat(readOrEnd(fresh))
                    .as("a new connection is closed at once")
                    .isEqualTo(-1);
        }
        assertThat(echo.bytesEchoed()).isEqualTo(6);
    }

    @Test
    void reset_resetsOpenConnectionsAndEveryNewOne() throws IOException {
        try (Socket open = connect()) {
            assertThat(roundTrip(open, "before")).isEqualTo("before");
            proxy.reset();
            assertThatThrownBy(() -> {
                        open.getOutputStream().write(1);
                        readOrEnd(open);
                    })
                    .as("an open connection is reset")
                    .isInstanceOf(SocketException.class);
        }
        try (Socket fresh = connect()) {
            assertThatThrownBy(() -> readOrEnd(fresh))
                    .as("a new connection is reset")
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
    }

    @Test
    void blackHole_keepsConnectionsOpenButForwardsNothing_thenPassResetsTheHeldOnes() throws IOException {
        try (Socket open = connect()) {
            assertThat(roundTrip(open, "before")).isEqualTo("before");
            proxy.blackHole();
            open.getOutputStream().write("lost".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> readOrEnd(open)).isInstanceOf(SocketTimeoutException.class);
            try (Socket fresh = connect()) {
                fresh.getOutputStream().write("lost too".getBytes(StandardCharsets.UTF_8));
                assertThatThrownBy(() -> readOrEnd(fresh))
                        .as("a new connection is accepted and hangs")
                        .isInstanceOf(SocketTimeoutException.class);
                assertThat(echo.bytesEchoed()).as("nothing reached the server").isEqualTo(6);

                proxy.pass();

                assertThatThrownBy(() -> readOrEnd(fresh))
                        .as("a held connection is reset on recovery")
                        .isInstanceOf(SocketException.class);
                assertThatThrownBy(() -> readOrEnd(open))
                        .as("a held connection is reset on recovery")
                        .isInstanceOf(SocketException.class);
            }
        }
        try (Socket recovered = connect()) {
            assertThat(roundTrip(recovered, "after")).isEqualTo("after");
        }
        assertThat(echo.bytesEchoed()).isEqualTo(11);
    }

    @Test
    void recovery_afterDropAndReset_forwardsAgain() throws IOException {
        proxy.drop();
        proxy.reset();
        proxy.pass();
        try (Socket client = connect()) {
            assertThat(roundTrip(client, "back")).isEqualTo("back");
        }
    }

    @Test
    void backendDown_newConnectionsAreReset() throws IOException {
        echo.close();
        // Down as a client sees it: connecting to its port is refused.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Socket direct = new Socket(InetAddress.getLoopbackAddress(), echo.port())) {
                return false;
            } catch (IOException refused) {
                return true;
            }
        });
        try (Socket client = connect()) {
            // The reset comes once the proxy has tried the backend: on a loaded machine that can take
            // longer than the other tests' 500 ms read timeout, which a reset never needs.
            client.setSoTimeout(10_000);
            assertThatThrownBy(() -> readOrEnd(client)).isInstanceOf(SocketException.class);
        }
    }

    @Test
    void through_pointsAUrlAtTheProxy() {
        assertThat(proxy.through("redis://127.0.0.1:" + echo.port() + "/0"))
                .isEqualTo("redis://127.0.0.1:" + proxy.port() + "/0");
        assertThat(proxy.through("jdbc:postgresql://127.0.0.1:" + echo.port() + "/test?user=postgres"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test?user=postgres");
        try (FaultProxy defaultPort = FaultProxy.to("redis://127.0.0.1")) {
            assertThat(defaultPort.through("redis://127.0.0.1/2"))
                    .isEqualTo("redis://127.0.0.1:" + defaultPort.port() + "/2");
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout(500);
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        socket.setSoTimeout(10_000);
        byte[] back = socket.getInputStream().readNBytes(bytes.length);
        socket.setSoTimeout(500);
        return new String(back, StandardCharsets.UTF_8);
    }

    /** Reads one byte; -1 at an orderly end. */
    private static int readOrEnd(Socket socket) throws IOException {
        return socket.getInputStream().read();
    }

    /** Echoes every byte back on each connection. */
    private static final class EchoServer implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final AtomicLong echoed = new AtomicLong();

        EchoServer() throws IOException {
            Thread.ofVirtual().start(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket connection = listener.accept();
                        Thread.ofVirtual().start(() -> echo(connection));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        private void echo(Socket connection) {
            try (connection;
                    InputStream in = connection.getInputStream()) {
                byte[] buffer = new byte[4096];
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    echoed.addAndGet(read);
                    connection.getOutputStream().write(buffer, 0, read);
                }
            } catch (IOException gone) {
                // the proxy cut the link
            }
        }

        int port() {
            return listener.getLocalPort();
        }

        long bytesEchoed() {
            return echoed.get();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
