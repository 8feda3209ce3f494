package dev.strata.client;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The task endpoints the client calls, with their paths, bodies and answers. Thread-safe. */
final class TaskEndpoints {
    private final ApiTransport transport;
    private final boolean daemon;

    /** {@code daemon}: read through the daemon endpoints (machine token) rather than the user ones. */
    TaskEndpoints(ApiTransport transport, boolean daemon) {
        this.transport = requireNonNull(transport, "transport is null");
        this.daemon = daemon;
    }

    /** Appends a batch body {@code {"messages":[...]}}, retrying as the policy says. */
    AppendTotals append(String taskId, String body) {
        var answer = transport.send("POST", daemonPath(taskId) + "/messages", Optional.of(body));
        if (!(JsonReader.parse(answer.body()) instanceof JsonObject object)) {
            throw new JsonReader.MalformedJsonException("append answer is not a JSON object: " + answer.body());
        }
        return new AppendTotals(object.integer("accepted"), object.integer("duplicates"), object.integer("dropped"));
    }

    /** Ends the task: {@code "complete"} with an output or {@code "fail"} with an error. */
    void finish(String taskId, String end, String field, String text) {
        transport.send(
                "POST",
                daemonPath(taskId) + "/" + end,
                Optional.of("{\"" + field + "\":" + JsonWriter.quote(text) + "}"));
    }

    MessagePage list(String taskId, MessageQuery query) {
        String base = daemon ? daemonPath(taskId) : userPath(taskId);
        var answer = transport.send("GET", base + "/messages" + query.queryString(true), Optional.empty());
        if (!(JsonReader.parse(answer.body()) instanceof List<?> items)) {
            throw new JsonReader.MalformedJsonException("a message list is not a JSON array");
        }
        List<TaskMessage> messages = new ArrayList<>(items.size());
        items.forEach(item -> messages.add(TaskMessage.fromJson(item)));
        return new MessagePage(
                messages, answer.hasMoreHeader().map("true"::equalsIgnoreCase).orElse(false));
    }

    static String userPath(String taskId) {
        return "/api/tasks/" + UriEncoding.component(taskId);
    }

    private static String daemonPath(String taskId) {
        return "/api/daemon/tasks/" + UriEncoding.component(taskId);
    }
}
