package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web inspector in a real browser (Debian's headless chromium through chromedriver) against an
 * embedded Strata: sign in, list, open a task, filter by type, follow a live append, show hostile
 * content as text, the storage page, and a 12,000-message task opened at its end (its time to first
 * paint is printed, not asserted). Screenshots go to {@code target/screenshots}, or to
 * {@code docs/screenshots} with {@code STRATA_UPDATE_SCREENSHOTS=true}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InspectorBrowserTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String XSS = "<img src=x onerror=alert(1)>";
    private static final int LONG_TASK = 12_000;

    @TempDir
    static Path directory;

    private EmbeddedServer server;
    private WebDriver browser;
    private Screenshots screenshots;
    private String base;
    private String smallTask;
    private String longTask;

    @BeforeAll
    void start() {
        // A short heartbeat: streams (and so the server) notice a closed browser quickly.
        server = EmbeddedServer.start(directory, Map.of("STRATA_CACHE_URL", "memory", "STRATA_STREAM_HEARTBEAT", "1s"));
        base = "http://127.0.0.1:" + server.strata().port();
        smallTask = createTask();
        append(
                smallTask,
                "{\"seq\":1,\"type\":\"text\",\"content\":\"Fix the failing build, please.\"},"
                        + "{\"seq\":2,\"type\":\"thinking\",\"content\":\"The Makefile probably misses a target.\"},"
                        + "{\"seq\":3,\"type\":\"tool-use\",\"tool\":\"Bash\",\"call_id\":\"c1\","
                        + "\"input\":{\"cmd\":\"make all\",\"n\":1.50,\"env\":{\"CI\":true},\"args\":[]}},"
                        + "{\"seq\":4,\"type\":\"tool-result\",\"call_id\":\"c1\","
                        + "\"content\":\"make: *** No rule to make target 'all'.  Stop.\"},"
                        + "{\"seq\":5,\"type\":\"error\",\"content\":\"Build failed with exit code 2\"},"
                        + "{\"seq\":6,\"type\":\"text\",\"content\":\"" + XSS + "\"}");
        longTask = createTask();
        for (int from = 0; from < LONG_TASK; from += 1000) {
            StringJoiner batch = new StringJoiner(",");
            for (int seq = from; seq < from + 1000; seq++) {
                batch.add(longMessage(seq));
            }
            append(longTask, batch.toString());
        }
        screenshots = Screenshots.forThisRun();
        browser = Chromium.start();
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void inspector_showsTasksAndTranscriptsLiveAndAsText() {
        signedOut();
        wait(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(server.userToken());
        browser.findElement(By.id("signin")).click();

        // The list: both tasks, most recent activity first, with their counts.
        wait(d -> d.findElements(By.cssSelector("#task-rows tr")).size() == 2);
        WebElement smallRow = browser.findElement(By.cssSelector("#task-rows tr[data-id='" + smallTask + "']"));
        assertThat(smallRow.findElements(By.tagName("td")).get(2).getText()).isEqualTo("6");
        assertThat(smallRow.findElements(By.tagName("td")).get(3).getText())
                .as("steps: thinking, tool-use, error")
                .isEqualTo("3");
        assertThat(browser.getCurrentUrl()).doesNotContain(server.userToken());
        assertThat(new Select(browser.findElement(By.id("workspace"))).selectedValue())
                .isEqualTo(server.workspace());
        waitForClass("live-tasks", "on");

        // A task created now appears at the top by itself.
        String newTask = createTask();
        wait(d -> d.findElements(By.cssSelector("#task-rows tr")).size() == 3);
        assertThat(browser.findElement(By.cssSelector("#task-rows tr")).getDomAttribute("data-id"))
                .isEqualTo(newTask);
        screenshots.take(browser, "task-list");

        // The transcript, by type.
        smallRow = browser.findElement(By.cssSelector("#task-rows tr[data-id='" + smallTask + "']"));
        smallRow.findElement(By.tagName("a")).click();
        wait(d -> d.findElements(By.cssSelector("#messages li")).size() == 6);
        WebElement xss = message(6);
        assertThat(xss.findElement(By.className("body")).getText()).isEqualTo(XSS);
        assertThat(browser.findElements(By.cssSelector("#messages img"))).isEmpty();
        assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThat(message(3).findElement(By.className("input")).getText())
                .as("tool input as formatted JSON, its numbers as sent")
                .isEqualTo("{\n  \"cmd\": \"make all\",\n  \"n\": 1.50,\n  \"env\": {\n    \"CI\": true\n  },\n"
                        + "  \"args\": []\n}");
        WebElement result = message(4).findElement(By.tagName("details"));
        assertThat(result.getDomProperty("open")).as("tool result collapsed").isEqualTo("false");
        assertThat(result.findElement(By.tagName("summary")).getText()).isEqualTo("result, 46 B");
        assertThat(message(5).getDomAttribute("class")).contains("error");

        // Type filters, as the API's exclude_types.
        browser.findElement(By.id("type-thinking")).click();
        wait(d -> d.findElements(By.cssSelector("#messages li")).size() == 5);
        assertThat(browser.findElements(By.cssSelector("#messages li.thinking")))
                .isEmpty();

        // The live tail follows a new message while the view is at the bottom.
        waitForClass("live-task", "on");
        append(smallTask, "{\"seq\":7,\"type\":\"text\",\"content\":\"Added the target; the build passes.\"}");
        wait(d -> d.findElements(By.cssSelector("#messages li[data-seq='7']")).size() == 1);
        wait(d -> (Boolean) script("const s = document.getElementById('messages-scroll');"
                + " return s.scrollHeight - s.scrollTop - s.clientHeight <= 40;"));
        append(
                smallTask,
                "{\"seq\":8,\"type\":\"thinking\",\"content\":\"filtered out\"},"
                        + "{\"seq\":9,\"type\":\"text\",\"content\":\"after the filtered one\"}");
        wait(d -> d.findElements(By.cssSelector("#messages li[data-seq='9']")).size() == 1);
        assertThat(browser.findElements(By.cssSelector("#messages li[data-seq='8']")))
                .as("the live tail honours the filter")
                .isEmpty();
        browser.findElement(By.id("type-thinking")).click();
        wait(d -> d.findElements(By.cssSelector("#messages li")).size() == 9);
        message(4).findElement(By.tagName("summary")).click();
        screenshots.take(browser, "task-view");

        // The storage page, for the owner.
        browser.findElement(By.id("nav-storage")).click();
        WebElement messages = wait(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#stats-workspace dd[data-stat='Messages']")));
        assertThat(messages.getText())
                .isEqualTo(Long.toString(messageCount(smallTask) + messageCount(longTask)))
                .isNotEqualTo("0");
        screenshots.take(browser, "storage");
    }

    @Test
    void longTask_opensAtItsEndOnePageAtATime() {
        signedIn();
        // A fresh page load, so the browser's own clock starts with the navigation.
        browser.get(base + "/?open=long#/task/" + longTask);
        wait(d -> d.findElements(By.cssSelector("#messages li[data-seq='" + (LONG_TASK - 1) + "']"))
                        .size()
                == 1);
        wait(d -> script("return window.strataTimings.firstPaint") != null);
        Number firstPaint = (Number) script("return window.strataTimings.firstPaint");
        Number opened = (Number) script("return window.strataTimings.taskOpened");
        int rendered = browser.findElements(By.cssSelector("#messages li")).size();
        System.out.printf(
                "inspector: time to first paint of a %,d-message task: %.0f ms after navigation"
                        + " (%.0f ms after the view opened), %d messages rendered%n",
                LONG_TASK, firstPaint.doubleValue(), firstPaint.doubleValue() - opened.doubleValue(), rendered);
        assertThat(rendered).as("one page, not the whole transcript").isEqualTo(200);
        screenshots.take(browser, "long-task");

        browser.findElement(By.id("load-older")).click();
        wait(d -> d.findElements(By.cssSelector("#messages li")).size() == 400);
        List<WebElement> shown = browser.findElements(By.cssSelector("#messages li"));
        assertThat(shown.get(0).getDomAttribute("data-seq")).isEqualTo(Integer.toString(LONG_TASK - 400));
        assertThat(shown.get(399).getDomAttribute("data-seq")).isEqualTo(Integer.toString(LONG_TASK - 1));

        // Scrolled up, the reader stays where they are while the live tail adds below.
        waitForClass("live-task", "on");
        script("document.getElementById('messages-scroll').scrollTop = 0");
        append(longTask, longMessage(LONG_TASK));
        wait(d -> d.findElements(By.cssSelector("#messages li[data-seq='" + LONG_TASK + "']"))
                        .size()
                == 1);
        assertThat(((Number) script("return document.getElementById('messages-scroll').scrollTop")).longValue())
                .isZero();
    }

    @Test
    void signOut_forgetsTheTokenAndABadTokenIsRefused() {
        signedIn();
        browser.findElement(By.id("sign-out")).click();
        wait(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        assertThat(script("return sessionStorage.getItem('strata.token')")).isNull();

        browser.findElement(By.id("token")).sendKeys("ut_not-a-token");
        browser.findElement(By.id("signin")).click();
        WebElement notice = wait(ExpectedConditions.visibilityOfElementLocated(By.id("notice")));
        assertThat(notice.getText()).contains("not accepted");
        assertThat(browser.findElement(By.id("view-signin")).isDisplayed()).isTrue();
    }

    /** The page, in a tab that holds no token. */
    private void signedOut() {
        browser.get(base + "/");
        script("sessionStorage.clear()");
        browser.get(base + "/?signed-out");
    }

    /** Signs in through the page, unless this browser tab already is. */
    private void signedIn() {
        browser.get(base + "/");
        if (script("return sessionStorage.getItem('strata.token')") == null) {
            wait(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(server.userToken());
            browser.findElement(By.id("signin")).click();
        }
        wait(ExpectedConditions.visibilityOfElementLocated(By.id("task-rows")));
    }

    private WebElement message(long seq) {
        return browser.findElement(By.cssSelector("#messages li[data-seq='" + seq + "']"));
    }

    private void waitForClass(String id, String className) {
        wait(d -> d.findElement(By.id(id)).getDomAttribute("class").contains(className));
    }

    private <T> T wait(java.util.function.Function<WebDriver, T> condition) {
        return new WebDriverWait(browser, PATIENCE).until(condition);
    }

    private Object script(String javascript) {
        return ((JavascriptExecutor) browser).executeScript(javascript);
    }

    private static String longMessage(int seq) {
        return switch (seq % 4) {
            case 0 -> "{\"seq\":" + seq + ",\"type\":\"text\",\"content\":\"Step " + seq + ": reading the code.\"}";
            case 1 ->
                "{\"seq\":" + seq + ",\"type\":\"tool-use\",\"tool\":\"Read\",\"call_id\":\"c" + seq
                        + "\",\"input\":{\"path\":\"src/file" + seq + ".java\"}}";
            case 2 ->
                "{\"seq\":" + seq + ",\"type\":\"tool-result\",\"call_id\":\"c" + (seq - 1) + "\",\"content\":\""
                        + "line of code\\n".repeat(20) + "\"}";
            default -> "{\"seq\":" + seq + ",\"type\":\"thinking\",\"content\":\"Considering step " + seq + ".\"}";
        };
    }

    private long messageCount(String task) {
        return server.api()
                .get("/api/tasks/" + task)
                .token(server.userToken())
                .workspace(server.workspace())
                .send()
                .json()
                .get("message_count")
                .asLong();
    }

    private String createTask() {
        var created = server.api()
                .post("/api/tasks", "{}")
                .token(server.userToken())
                .workspace(server.workspace())
                .send();
        assertThat(created.status()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    private void append(String task, String messages) {
        var response = server.api()
                .post("/api/daemon/tasks/" + task + "/messages", "{\"messages\":[" + messages + "]}")
                .token(server.machineToken())
                .send();
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    /** The selected option of a select element, without pulling in Selenium's support classes for it. */
    private record Select(WebElement element) {
        String selectedValue() {
            return element.getDomProperty("value");
        }
    }
}
