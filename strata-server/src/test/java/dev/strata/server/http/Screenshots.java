package dev.strata.server.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;

/**
 * Where the browser test's screenshots go: {@code target/screenshots} on every run, and the
 * README's {@code docs/screenshots} only when {@code STRATA_UPDATE_SCREENSHOTS=true}, so that an
 * ordinary test run leaves the source tree as it was.
 */
record Screenshots(Path directory) {
    static Screenshots forThisRun() {
        Path module = Path.of("").toAbsolutePath();
        boolean update = "true".equalsIgnoreCase(System.getenv("STRATA_UPDATE_SCREENSHOTS"));
        Path directory = update
                ? module.getParent().resolve("docs").resolve("screenshots")
                : module.resolve("target").resolve("screenshots");
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Screenshots(directory);
    }

    void take(WebDriver browser, String name) {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        try {
            Files.write(directory.resolve(name + ".png"), png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
