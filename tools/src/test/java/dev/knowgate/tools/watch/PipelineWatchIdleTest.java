package dev.knowgate.tools.watch;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Right after a round's decision the trainer reports nothing pending and no round for one turn of
 * its loop, before it reads the examples that waited on examples.accepted: bin/run's progress view
 * once took that for the end and printed an INCOMPLETE summary (seen on `bin/run --model
 * knowgate-llama --compare`). It now waits for the trainer to be idle on two looks an interval apart.
 */
class PipelineWatchIdleTest {

    @Test
    void oneIdleLookBetweenRoundsIsNotTheEnd() throws Exception {
        List<String> consumption = List.of(
                "{\"pending\":0,\"paused\":false,\"roundInProgress\":null}", // the decision just landed
                "{\"pending\":0,\"paused\":false,\"roundInProgress\":\"round-2\"}", // the next round started
                "{\"pending\":0,\"paused\":false,\"roundInProgress\":null}",
                "{\"pending\":0,\"paused\":false,\"roundInProgress\":null}");
        AtomicInteger served = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = new byte[0];
            int status = 404;
            if (path.equals("/v1/consumption")) {
                body = consumption.get(Math.min(served.getAndIncrement(), consumption.size() - 1))
                        .getBytes(StandardCharsets.UTF_8);
                status = 200;
            }
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            PipelineWatch watch = new PipelineWatch();
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            watch.trainer = base;
            watch.monitor = base;
            watch.mode = "filtered";
            watch.interval = Duration.ofMillis(50);
            watch.trainEverythingPending(System.nanoTime() + Duration.ofSeconds(20).toNanos());
            assertThat(served.get()).as("looks at the trainer before the watch moved on").isEqualTo(4);
        } finally {
            server.stop(0);
        }
    }
}
