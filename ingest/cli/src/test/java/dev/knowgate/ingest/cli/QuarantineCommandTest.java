package dev.knowgate.ingest.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.knowgate.contracts.json.ContractJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * knowgate-quarantine against a FAKE categorize-stream (JDK HttpServer) for what the real one cannot be
 * made to do on demand: answer 503 and then accept, so that a retried decision is seen to keep its id.
 * The real service is driven by QuarantineReviewEndToEndTest (e2e).
 */
class QuarantineCommandTest {

    private HttpServer server;
    private final Deque<int[]> statuses = new ArrayDeque<>();
    private final List<JsonNode> bodies = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/quarantine/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (bodies) {
                bodies.add(ContractJson.mapper().readTree(body));
                keys.add(exchange.getRequestHeaders().getFirst("Authorization"));
            }
            int status = statuses.isEmpty() ? 202 : statuses.poll()[0];
            JsonNode request = ContractJson.mapper().readTree(body);
            String exampleId = exchange.getRequestURI().getPath().split("/")[3];
            String answer = status == 202
                    ? "{\"decisionId\":\"" + request.path("decisionId").asText() + "\",\"exampleId\":\"" + exampleId
                    + "\",\"action\":\"" + request.path("action").asText() + "\",\"decidedBy\":\"mira\",\"reason\":\""
                    + request.path("reason").asText() + "\",\"verdictModel\":\"knowgate-base@1\","
                    + ("amend".equals(request.path("action").asText())
                    ? "\"answer\":\"" + request.path("answer").asText() + "\",\"amendedId\":\"ex-new\"," : "")
                    + "\"decidedAt\":\"2026-12-06T12:00:00Z\"}"
                    : "{\"type\":\"about:blank\",\"title\":\"t\",\"status\":" + status + ",\"detail\":\"said " + status + "\"}";
            exchange.getResponseHeaders().add("Content-Type", status == 202 ? "application/json" : "application/problem+json");
            if (status == 503) {
                exchange.getResponseHeaders().add("Retry-After", "0");
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = QuarantineCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--categorize-url", "http://127.0.0.1:" + server.getAddress().getPort(), "--api-key", "k-1"));
        return new Run(cli.execute(all.toArray(String[]::new)), out.toString(), err.toString());
    }

    @Test
    void aDecisionRetriedAfterA503KeepsItsIdSoTheServiceAppliesItOnce() {
        statuses.add(new int[] {503});
        statuses.add(new int[] {503});
        Run r = run("release", "ex-1", "--reason", "teach it");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(bodies).hasSize(3);
        assertThat(bodies).extracting(b -> b.path("decisionId").asText()).containsOnly(bodies.get(0).path("decisionId").asText())
                .allMatch(id -> id.startsWith("cli-"));
        assertThat(bodies.get(0).path("action").asText()).isEqualTo("release");
        assertThat(keys).containsOnly("Bearer k-1");
        assertThat(r.out()).startsWith("released ex-1: decision cli-");
    }

    @Test
    void eachExampleIsItsOwnDecisionAndARefusalIsExitOneAndAKeyRefusalExitThree() {
        statuses.add(new int[] {202});
        statuses.add(new int[] {409});
        Run r = run("drop", "ex-1", "ex-2", "--reason", "duplicates");
        assertThat(r.code()).isEqualTo(1);
        assertThat(bodies).extracting(b -> b.path("decisionId").asText()).doesNotHaveDuplicates();
        assertThat(r.out()).contains("dropped ex-1");
        assertThat(r.err()).contains("ex-2 not dropped: HTTP 409").contains("said 409");
        statuses.add(new int[] {403});
        assertThat(run("drop", "ex-3", "--reason", "x").code()).isEqualTo(3);
    }

    @Test
    void anAmendmentSendsItsAnswerAndAliasesAndNeedsOne() {
        Run r = run("amend", "ex-1", "--reason", "typo", "--answer", "Morrow", "--alias", "Morrow Town", "--alias", "Morrowe");
        assertThat(r.code()).as(r.toString()).isZero();
        JsonNode body = bodies.get(0);
        assertThat(body.path("answer").asText()).isEqualTo("Morrow");
        assertThat(body.path("aliases")).extracting(JsonNode::asText).containsExactly("Morrow Town", "Morrowe");
        Run none = run("amend", "ex-1", "--reason", "typo");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("amend needs --answer or --alias");
        assertThat(run("release", "ex-1").code()).as("--reason is required").isEqualTo(2);
    }

    @Test
    void anUnreachableServiceIsNamedAndExitsFour() {
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = QuarantineCommand.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("list", "--categorize-url", "http://no-such-host.invalid:8082", "--api-key", "k-1",
                "--max-retries", "0");
        assertThat(code).isEqualTo(4);
        assertThat(err.toString()).contains("cannot reach categorize-stream at http://no-such-host.invalid:8082/"
                + " (cannot resolve host no-such-host.invalid)");
    }
}
