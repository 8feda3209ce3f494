package dev.strata.server.cli;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/** {@code strata serve}: runs the HTTP API until stopped. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Run the HTTP API. Configured by STRATA_* environment variables (see README).")
final class ServeCommand implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Override
    public void run() {
        StrataConfig config = Environment.config();
        Strata strata = Strata.open(config).serve();
        log.info("strata listening on {}:{} with {}", config.host(), strata.port(), config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            strata.close();
                            stopped.countDown();
                        },
                        "strata-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
