package dev.knowgate.e2e;

import dev.knowgate.categorize.model.LoadedModels;
import dev.knowgate.categorize.model.ModelLoader;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The categorization service against the bare categorizer, on the same examples with the same
 * settings, in one run (bin/bench-service; docs/benchmarks.md): N examples of the fact world's
 * stream are pushed through ingest into a running categorize-stream on a fresh in-JVM broker, timed
 * from the first request to the last committed verdict (read_committed); then the same examples go
 * through the categorizer the service calls (LoadedModels, the shipped base model, exact SliCK) in
 * batches of the service's batch size, in this JVM. Prints the service's batch sizes and time in
 * inference (summed over its stream threads' calls), the CPU each JVM used in both runs, and last
 * {@code service_over_bare=<ratio> examples=<n>}.
 */
public final class ServiceBenchmark {

    private static final String KEY = "bench-curator-key-0123456789";

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        boolean acrossTasks = args.length <= 2 || Boolean.parseBoolean(args[2]);
        int streamThreads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path model = root.resolve("models/knowgate-base-1");
        List<Example> examples = FactWorld.generate(WorldConfig.standard(42)).finetunePool().stream()
                .limit(n).map(Fact::toExample).toList();
        if (examples.size() < n) {
            throw new IllegalArgumentException("the stream has " + examples.size() + " examples");
        }
        System.out.printf(Locale.ROOT, "[bench] %d examples, batch size %d, %d cores, model %s%n", n, batch,
                Runtime.getRuntime().availableProcessors(), root.relativize(model));

        double serviceSeconds;
        CpuUse serviceCpu;
        String metrics;
        Path work = Files.createTempDirectory("knowgate-bench-service");
        try (KafkaBroker broker = KafkaBroker.start()) {
            String bootstrap = broker.bootstrapServers();
            Path keys = work.resolve("api-keys");
            Files.writeString(keys, "bench " + sha256(KEY) + " submit\n");
            List<String> jit = List.of(); // the services' production JIT, not the tests' quick-start one
            try (ServiceProcess ingest = ServiceProcess.start("ingest", "ingest/service", work, bootstrap,
                    Map.of("knowgate.ingest.auth.keys-file", keys.toString()), jit);
                 ServiceProcess categorize = ServiceProcess.start("categorize-stream", "categorize-stream", work, bootstrap,
                         Map.of("knowgate.categorize.model.initial", model.toString(),
                                 "knowgate.categorize.batch.size", String.valueOf(batch),
                                 "knowgate.categorize.batch.across-tasks", String.valueOf(acrossTasks),
                                 "kafka-streams.num.stream.threads", String.valueOf(streamThreads),
                                 "kafka-streams.state.dir", work.resolve("state").toString()), jit)) {
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (!(ingest.ready() && categorize.ready())) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("services not ready in 3 minutes:\n" + categorize.tail());
                    }
                    Thread.sleep(250);
                }
                CpuUse before = CpuUse.now(categorize, ingest);
                serviceSeconds = throughService(ingest, bootstrap, examples);
                serviceCpu = CpuUse.now(categorize, ingest).minus(before);
                metrics = ServiceProcess.get(categorize.url("/q/metrics")).body();
            }
        }

        double batches = ServiceProcess.metric(metrics, "knowgate_categorize_batch_size_count");
        double batched = ServiceProcess.metric(metrics, "knowgate_categorize_batch_size_sum");
        double inference = ServiceProcess.metric(metrics, "knowgate_categorize_inference_seconds_sum");
        // The bare categorizer at the configured size, and at the service's mean size: how much of
        // the gap the service's smaller batches explain.
        int serviceMean = (int) Math.max(1, Math.round(batched / batches));
        LoadedModels bare = new LoadedModels();
        bare.swap(new ModelLoader(RuntimeOptions.cpu(), SlickConfig.paper()).load(model));
        CpuUse bareBefore = CpuUse.now(null, null);
        double bareSeconds = bareSeconds(bare, examples, batch);
        CpuUse bareCpu = CpuUse.now(null, null).minus(bareBefore);
        double bareAtServiceMean = bareSeconds(bare, examples, serviceMean);
        bare.close();

        System.out.println();
        System.out.println("| path | examples/s | seconds |");
        System.out.println("|---|---|---|");
        System.out.printf(Locale.ROOT, "| service: ingest -> categorize-stream -> committed verdict | %.1f | %.1f |%n",
                n / serviceSeconds, serviceSeconds);
        System.out.printf(Locale.ROOT, "| bare categorizer, batches of %d, same JVM | %.1f | %.1f |%n", batch,
                n / bareSeconds, bareSeconds);
        System.out.printf(Locale.ROOT, "| bare categorizer, batches of %d (the service's mean), same JVM | %.1f | %.1f |%n",
                serviceMean, n / bareAtServiceMean, bareAtServiceMean);
        System.out.println();
        // The model calls' sizes (knowgate.categorize.batch.size; a call holds examples of every stream
        // task of the instance) and the examples categorized in a call another task started.
        System.out.printf(Locale.ROOT, "| service's model calls (batch %d) | calls | mean size | full (%d) | largest"
                + " | examples from other stream tasks | inference s | of the service's time |%n", batch, batch);
        System.out.println("|---|---|---|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| categorize-stream, 6 partitions, %d stream thread%s, batches %s | %.0f | %.1f | %.0f | %.0f"
                        + " | %.0f | %.1f | %.0f%% |%n", streamThreads, streamThreads == 1 ? "" : "s",
                acrossTasks ? "across tasks" : "per task", batches, batched / batches,
                ServiceProcess.metric(metrics, "knowgate_categorize_batch_full_total"),
                ServiceProcess.metric(metrics, "knowgate_categorize_batch_size_max"),
                ServiceProcess.metric(metrics, "knowgate_categorize_batch_borrowed_total"), inference, 100 * inference / serviceSeconds);
        System.out.println();
        // Where the cores went: the service's model shares them with the broker, ingest and Kafka Streams.
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "| CPU (%d cores) | service run: core-seconds | share of the run's core time"
                + " | bare run (batches of %d): core-seconds | share |%n", cores, batch);
        System.out.println("|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| categorize-stream's JVM (model, stream threads, clients) | %.1f | %.0f%% | | |%n",
                serviceCpu.categorize(), 100 * serviceCpu.categorize() / (cores * serviceSeconds));
        System.out.printf(Locale.ROOT, "| ingest's JVM | %.1f | %.0f%% | | |%n",
                serviceCpu.ingest(), 100 * serviceCpu.ingest() / (cores * serviceSeconds));
        System.out.printf(Locale.ROOT, "| the benchmark's JVM (broker and client; bare: the categorizer) | %.1f | %.0f%% | %.1f | %.0f%% |%n",
                serviceCpu.self(), 100 * serviceCpu.self() / (cores * serviceSeconds), bareCpu.self(),
                100 * bareCpu.self() / (cores * bareSeconds));
        System.out.printf(Locale.ROOT, "| the machine, every process | | %.0f%% busy | | %.0f%% busy |%n",
                100 * serviceCpu.machineBusyShare(), 100 * bareCpu.machineBusyShare());
        System.out.println();
        System.out.printf(Locale.ROOT, "service_over_bare_at_service_batches=%.3f%n", bareAtServiceMean / serviceSeconds);
        System.out.printf(Locale.ROOT, "service_over_bare=%.3f examples=%d%n", bareSeconds / serviceSeconds, n);
    }

    /** Seconds the bare categorizer takes for every example in batches of {@code size}, after one warm-up batch. */
    private static double bareSeconds(LoadedModels bare, List<Example> examples, int size) throws Exception {
        int n = examples.size();
        bare.categorize(examples.subList(0, Math.min(size, n))); // warm-up, as the service's first batch
        long start = System.nanoTime();
        for (int from = 0; from < n; from += size) {
            bare.categorize(examples.subList(from, Math.min(n, from + size)));
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Seconds from the first request to ingest until every example's verdict is committed. */
    private static double throughService(ServiceProcess ingest, String bootstrap, List<Example> examples) throws Exception {
        Set<String> waiting = examples.stream().map(Example::id).collect(Collectors.toCollection(HashSet::new));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, "bench-service",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.EXAMPLES_CATEGORIZED.name()));
            consumer.poll(Duration.ofMillis(500)); // joined before the clock starts
            long start = System.nanoTime();
            for (int from = 0; from < examples.size(); from += 500) {
                String body = examples.subList(from, Math.min(examples.size(), from + 500)).stream()
                        .map(ContractJson::writeString).collect(Collectors.joining("\n", "", "\n"));
                int status = ServiceProcess.post(ingest.url("/v1/examples/bulk"), "application/x-ndjson", body,
                        Map.of("X-Api-Key", KEY), Duration.ofSeconds(60)).statusCode();
                if (status != 202) {
                    throw new IllegalStateException("ingest answered " + status);
                }
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
            while (!waiting.isEmpty()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    waiting.remove(ContractJson.read(r.value(), CategorizedExample.class).example().id());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(waiting.size() + " examples without a verdict after 20 minutes");
                }
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /**
     * CPU seconds the service JVMs and this one have used (all threads), and the machine's busy and
     * total CPU ticks from /proc/stat; differences of two give one interval's use.
     */
    private record CpuUse(double categorize, double ingest, double self, long machineBusy, long machineAll) {

        static CpuUse now(ServiceProcess categorize, ServiceProcess ingest) throws Exception {
            // /proc/stat's first line: cpu user nice system idle iowait irq softirq steal ...
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long all = 0;
            for (int i = 1; i <= 8; i++) {
                all += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new CpuUse(categorize == null ? 0 : seconds(categorize.cpuTime()),
                    ingest == null ? 0 : seconds(ingest.cpuTime()),
                    seconds(ProcessHandle.current().info().totalCpuDuration().orElseThrow()), all - idle, all);
        }

        CpuUse minus(CpuUse before) {
            return new CpuUse(categorize - before.categorize, ingest - before.ingest, self - before.self,
                    machineBusy - before.machineBusy, machineAll - before.machineAll);
        }

        double machineBusyShare() {
            return machineAll == 0 ? 0 : (double) machineBusy / machineAll;
        }

        private static double seconds(Duration d) {
            return d.toNanos() / 1e9;
        }
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private ServiceBenchmark() {
    }
}
