package dev.knowgate.tools.models;

import dev.knowgate.contracts.ModelFile;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.kafka.TopicProvisioner;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.trainer.registry.ModelRegistry;
import dev.knowgate.trainer.registry.ModelsTopic;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * {@code bin/import-model}: a Hugging Face model exported with optimum becomes a knowgate version
 * ({@link OptimumImport}), and with {@code --registry} is installed and signed there, where the
 * trainer and categorize-stream load versions from; with {@code --bootstrap-servers} it is also
 * announced on the models topic (docs/models.md).
 */
@Command(name = "import-model", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Imports a folder written by `optimum-cli export onnx --task text-generation-with-past` (with its"
                + " tokenizer.json) as a knowgate model version: copies model.onnx (and model.onnx_data), config.json,"
                + " the tokenizer files and the exemplars, writes the manifest with every file's sha256, and checks"
                + " that the services can load and decode it.",
        footer = {"", "Exit codes: 0 imported, 1 the export does not meet the contract (the reason is printed),"
                + " 2 usage error."})
public final class ImportModelCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "EXPORT_DIR", description = "the optimum export folder")
    Path source;

    @Option(names = "--name", required = true, description = "registry name of the model (a slug, e.g. smollm2-135m)")
    String name;

    @Option(names = "--version", defaultValue = "1", description = "version number (default ${DEFAULT-VALUE})")
    long version;

    @Option(names = "--exemplars", required = true, paramLabel = "FILE",
            description = "JSONL examples (the ingest format) SliCK draws its few-shot exemplars from")
    Path exemplars;

    @Option(names = "--terminator", defaultValue = "\\n", paramLabel = "TEXT",
            description = "what ends an answer: \\n (a newline, the default) or the model's EOS text, e.g. </s>")
    String terminator;

    @Option(names = "--prompt-template", defaultValue = "Q: {question} A:", paramLabel = "TEXT",
            description = "the template a question is put in (default '${DEFAULT-VALUE}')")
    String promptTemplate;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the version folder to write (must not exist)")
    Path out;

    @Option(names = "--registry", paramLabel = "DIR",
            description = "also install the version in this registry (<DIR>/<name>/<version>/), signed")
    Path registry;

    @Option(names = "--signing-key", paramLabel = "FILE", defaultValue = "var/trainer/signing.key",
            description = "the registry's signing key, the trainer's (made when missing; default ${DEFAULT-VALUE})")
    Path signingKey;

    @Option(names = "--public-key", paramLabel = "FILE", defaultValue = "var/trainer/signing.pub",
            description = "its public half, which the services trust (default ${DEFAULT-VALUE})")
    Path publicKey;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "also announce the installed version on this Kafka cluster's models topic, as the trainer"
                    + " announces its versions (needs --registry)")
    String bootstrapServers;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client settings for --bootstrap-servers (Java properties: security.protocol, sasl.*,"
                    + " ssl.*)")
    Path kafkaConfig;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ImportModelCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (bootstrapServers != null && registry == null) {
            throw new ParameterException(spec.commandLine(),
                    "--bootstrap-servers needs --registry: the services load an announced version from the registry");
        }
        OptimumImport.Report report;
        try {
            report = OptimumImport.run(new OptimumImport.Request(source, name, version, promptTemplate,
                    terminator.replace("\\n", "\n"), exemplars, out));
        } catch (OptimumImport.RefusedException e) {
            System.err.println("import-model: refused: " + e.getMessage());
            return 1;
        }
        ModelFolder folder = report.folder();
        System.out.printf(Locale.ROOT, "%s: %s, %d layers, hidden %d, %d key/value heads, vocab %d, %d positions%n",
                folder.manifest().key(), report.modelType(), report.layers(), report.hiddenSize(), report.kvHeads(),
                report.vocab(), report.maxPositions());
        for (ModelFile f : folder.manifest().files()) {
            System.out.printf(Locale.ROOT, "  %-24s %,15d bytes  sha256 %s%n", f.path(), f.bytes(), f.sha256());
        }
        System.out.printf(Locale.ROOT, "checked: loads in %.1f s; %s logits and cache; tokenizer ids within the logits;"
                        + " answer terminator %s is id %d; %d exemplars; the cache decodes what recomputation decodes%s%n",
                report.loadSeconds(), report.float16() ? "float16" : "float32",
                folder.manifest().answerTerminator().replace("\n", "\\n"), report.terminatorId(),
                report.exemplarCount(), report.nearTieAt() < 0 ? ""
                        : " up to a float16 near-tie at answer token " + report.nearTieAt());
        System.out.printf(Locale.ROOT, "greedy answer to \"%s\": \"%s\"%n", report.checkQuestion(),
                report.greedyAnswer().replace("\n", "\\n"));
        System.out.println("written to " + folder.dir());
        if (registry != null) {
            ModelFolder installed = ModelRegistry.withLocalKey(registry, signingKey, publicKey).register(folder);
            System.out.println("installed and signed in the registry: " + installed.dir());
            if (bootstrapServers != null) {
                try {
                    announce(installed);
                } catch (ExecutionException | TimeoutException | KafkaException e) {
                    System.err.println("import-model: installed, but not announced on " + Topics.MODELS.name() + " at "
                            + bootstrapServers + ": " + e.getMessage());
                    return 1;
                }
            }
        }
        // What makes it the model examples are judged against (docs/models.md, "Serve").
        System.out.println("to run the pipeline on it: bin/run --model " + folder.dir() + " --fresh, or start"
                + " categorize-stream and the trainer with it as their initial model");
        return 0;
    }

    /**
     * Puts the installed version on the models topic (created as the services create it when missing):
     * the monitor evaluates it as the base of a lineage of its own. The services go on judging and
     * training their own lineage: announcing does not put it in charge.
     */
    private void announce(ModelFolder installed) throws IOException, ExecutionException, InterruptedException,
            TimeoutException {
        Map<String, Object> client = new HashMap<>();
        if (kafkaConfig != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(kafkaConfig)) {
                p.load(r);
            }
            p.forEach((k, v) -> client.put(k.toString(), v));
        }
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        Map<String, Object> admin = new HashMap<>(client);
        admin.keySet().retainAll(AdminClientConfig.configNames());
        try (Admin a = Admin.create(admin)) {
            new TopicProvisioner(a, Optional.empty(), Duration.ofSeconds(30)).ensure(List.of(Topics.MODELS));
        }
        ModelVersion announced = installed.manifest().withLocation(installed.dir().toAbsolutePath().normalize().toString());
        try (ModelsTopic topic = new ModelsTopic(Topics.MODELS.name(), client)) {
            topic.publish(announced);
        }
        System.out.println("announced " + announced.key() + " on " + Topics.MODELS.name() + " at " + bootstrapServers
                + ": the monitor evaluates it as the base of its own lineage; categorize-stream and the trainer keep"
                + " their own lineage");
    }
}
