package dev.knowgate.ingest.cli;

import dev.knowgate.contracts.QuarantineDecision;
import dev.knowgate.contracts.QuarantineEntry;
import dev.knowgate.contracts.QuarantinePage;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.resilience.Backoff;
import dev.knowgate.resilience.Sleeper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * knowgate-quarantine: the curators' review of the quarantine (docs/curators.md). Lists the examples
 * the model did not know, with its own answers, and releases, drops or amends them; every decision is
 * recorded by categorize-stream on quarantine.decisions.
 */
@Command(name = "knowgate-quarantine",
        mixinStandardHelpOptions = true,
        versionProvider = PushCommand.VersionProvider.class,
        usageHelpAutoWidth = true,
        description = "Reviews the examples categorize-stream quarantined (judged Unknown): lists them with the"
                + " model's own answer, and releases them to training (new knowledge on purpose, within the trainer's"
                + " budget), drops them, or amends them (a corrected answer or added aliases, resubmitted as a new example).",
        subcommands = {QuarantineCommand.ListCommand.class, QuarantineCommand.ShowCommand.class,
                QuarantineCommand.ReleaseCommand.class, QuarantineCommand.DropCommand.class,
                QuarantineCommand.AmendCommand.class},
        footer = {"",
                "Exit codes: 0 done, 1 a decision refused (not quarantined, not open, another verdict in force,"
                        + " invalid), 2 usage error, 3 API key refused (401/403), 4 gave up (categorize-stream unreachable or"
                        + " failing through every retry; a decision sent again is applied once)."})
public final class QuarantineCommand implements Callable<Integer> {

    static final int EXIT_REFUSED = 1;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new QuarantineCommand());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("knowgate-quarantine: internal error: " + e);
            e.printStackTrace(commandLine.getErr());
            return PushCommand.EXIT_INTERNAL;
        });
        return cli;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return PushResult.EXIT_USAGE;
    }

    /** Where categorize-stream is and the curator's key: every subcommand's. */
    static final class Connection {
        @Option(names = "--categorize-url", paramLabel = "URL",
                defaultValue = "${env:KNOWGATE_CATEGORIZE_URL:-http://127.0.0.1:8082}",
                description = "categorize-stream's base URL (env KNOWGATE_CATEGORIZE_URL; default ${DEFAULT-VALUE})")
        String url;

        @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:KNOWGATE_API_KEY}",
                description = "a curator's API key (env KNOWGATE_API_KEY)")
        String apiKey;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
                converter = PushCommand.DurationConverter.class, description = "per request (default ${DEFAULT-VALUE})")
        Duration timeout;

        @Option(names = "--max-retries", paramLabel = "N", defaultValue = "5",
                description = "retries while categorize-stream is unreachable or answers 503 (default ${DEFAULT-VALUE})")
        int maxRetries;

        QuarantineClient client(CommandSpec spec) {
            URI base;
            try {
                base = URI.create(url.endsWith("/") ? url : url + "/");
                if (base.getHost() == null) {
                    throw new IllegalArgumentException("no host");
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--categorize-url '" + url + "' is not a URL");
            }
            if (apiKey == null || apiKey.isBlank()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "a curator's API key is needed: --api-key or KNOWGATE_API_KEY");
            }
            return new QuarantineClient(base, apiKey, timeout, maxRetries,
                    new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10), Backoff.Jitter.EQUAL), Sleeper.THREAD);
        }
    }

    /** The exit code of a call that did not succeed, with its message on stderr. */
    static int failed(QuarantineClient.Result<?> r, PrintWriter err, String what) {
        if (r instanceof QuarantineClient.Refused<?> refused) {
            err.println("knowgate-quarantine: " + what + ": " + refused.why());
            return refused.status() == 401 || refused.status() == 403 ? PushResult.EXIT_AUTH : EXIT_REFUSED;
        }
        err.println("knowgate-quarantine: " + what + ": " + ((QuarantineClient.Failed<?>) r).why());
        return PushResult.EXIT_GAVE_UP;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Lists quarantined examples, oldest first, with the model's own answer and the hint.")
    static final class ListCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Connection connection;

        @Option(names = "--state", paramLabel = "STATE", defaultValue = "open",
                description = "open (default), released, dropped, amended, known, or all")
        String state;
        @Option(names = "--submission", paramLabel = "ID", description = "only this submission's")
        String submission;
        @Option(names = "--relation", paramLabel = "NAME", description = "only this relation's (birthplace, ...)")
        String relation;
        @Option(names = "--model", paramLabel = "NAME[@VERSION]", description = "only those quarantined by this model or version")
        String model;
        @Option(names = "--older-than", paramLabel = "DURATION", description = "only those quarantined longer ago (30m, 2h, 1d)")
        String olderThan;
        @Option(names = "--curator", paramLabel = "NAME", description = "another curator's (an admin key)")
        String curator;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "at most N (1 to 1000; default ${DEFAULT-VALUE})")
        int limit;
        @Option(names = "--json", description = "one QuarantineEntry JSON object per line instead of the table")
        boolean json;

        @Override
        public Integer call() throws InterruptedException {
            Map<String, String> filter = new LinkedHashMap<>();
            filter.put("state", state);
            filter.put("submission", submission);
            filter.put("relation", relation);
            filter.put("model", model);
            filter.put("olderThan", olderThan);
            filter.put("curator", curator);
            filter.put("limit", Integer.toString(limit));
            QuarantineClient.Result<QuarantinePage> r = connection.client(spec).list(filter);
            PrintWriter out = spec.commandLine().getOut();
            if (!(r instanceof QuarantineClient.Ok<QuarantinePage> ok)) {
                return failed(r, spec.commandLine().getErr(), "listing the quarantine");
            }
            QuarantinePage page = ok.value();
            if (json) {
                page.entries().forEach(e -> out.println(ContractJson.writeString(e)));
                return 0;
            }
            out.printf(Locale.ROOT, "%d of %d %s quarantined examples%s, oldest first%n", page.entries().size(), page.total(),
                    state, submission == null ? "" : " of submission " + submission);
            if (!page.entries().isEmpty()) {
                out.print(QuarantineTable.render(page.entries(), Clock.systemUTC().instant()));
            }
            out.flush(); // print() does not flush picocli's writer, and main exits at once
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Shows one quarantined example: its verdict, the model's own answer, and every decision about it.")
    static final class ShowCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Connection connection;
        @Parameters(index = "0", paramLabel = "EXAMPLE_ID")
        String exampleId;

        @Override
        public Integer call() throws InterruptedException {
            QuarantineClient.Result<QuarantineEntry> r = connection.client(spec).show(exampleId);
            if (!(r instanceof QuarantineClient.Ok<QuarantineEntry> ok)) {
                return failed(r, spec.commandLine().getErr(), exampleId);
            }
            spec.commandLine().getOut().print(QuarantineTable.detail(ok.value()));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /** What the three decision commands share: ids, a reason, and sending each decision once. */
    abstract static class Decide implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Connection connection;
        @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "why (recorded with the decision)")
        String reason;

        abstract String action();

        abstract List<String> ids();

        String answer() {
            return null;
        }

        List<String> aliases() {
            return List.of();
        }

        @Override
        public Integer call() throws InterruptedException {
            QuarantineClient client = connection.client(spec);
            PrintWriter out = spec.commandLine().getOut();
            int code = 0;
            for (String id : ids()) {
                // One id per decision, kept through its retries: the stream applies it once.
                String decisionId = "cli-" + UUID.randomUUID();
                QuarantineClient.Result<QuarantineDecision> r = client.decide(id, action(), reason, answer(), aliases(), decisionId);
                if (r instanceof QuarantineClient.Ok<QuarantineDecision> ok) {
                    QuarantineDecision d = ok.value();
                    out.printf(Locale.ROOT, "%s %s: decision %s recorded%s%n", pastTense(action()), id, d.decisionId(),
                            d.amendedId() != null ? "; resubmitted as " + d.amendedId() : "");
                } else {
                    code = Math.max(code, failed(r, spec.commandLine().getErr(), id + " not " + pastTense(action())));
                }
            }
            return code;
        }

        private static String pastTense(String action) {
            return switch (action) {
                case "release" -> "released";
                case "drop" -> "dropped";
                default -> "amended";
            };
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Releases quarantined examples to training: new knowledge on purpose, admitted by the trainer"
                    + " within its budget (knowgate.trainer.released.budget) and trained with self-distillation.")
    static final class ReleaseCommand extends Decide {
        @Parameters(arity = "1..*", paramLabel = "EXAMPLE_ID")
        List<String> ids = new ArrayList<>();

        @Override
        String action() {
            return "release";
        }

        @Override
        List<String> ids() {
            return ids;
        }
    }

    @Command(name = "drop", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Drops quarantined examples: never trained; they and their decisions stay on the audit topics.")
    static final class DropCommand extends Decide {
        @Parameters(arity = "1..*", paramLabel = "EXAMPLE_ID")
        List<String> ids = new ArrayList<>();

        @Override
        String action() {
            return "drop";
        }

        @Override
        List<String> ids() {
            return ids;
        }
    }

    @Command(name = "amend", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Amends a quarantined example: a corrected answer and/or added aliases, resubmitted as a new"
                    + " example (same curator and submission) that categorize-stream judges like any other.")
    static final class AmendCommand extends Decide {
        @Parameters(index = "0", paramLabel = "EXAMPLE_ID")
        String id;
        @Option(names = "--answer", paramLabel = "TEXT", description = "the corrected gold answer (drops the old aliases)")
        String answer;
        @Option(names = "--alias", paramLabel = "TEXT", description = "an alias to add (repeatable)")
        List<String> aliases = new ArrayList<>();

        @Override
        String action() {
            return "amend";
        }

        @Override
        List<String> ids() {
            return List.of(id);
        }

        @Override
        String answer() {
            return answer;
        }

        @Override
        List<String> aliases() {
            return aliases;
        }

        @Override
        public Integer call() throws InterruptedException {
            if (answer == null && aliases.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "amend needs --answer or --alias");
            }
            return super.call();
        }
    }

    /** A short age for a table column: 42s, 17m, 5h, 3d. */
    static String age(Instant since, Instant now) {
        long s = Math.max(0, Duration.between(since, now).toSeconds());
        return s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" : s < 86_400 ? s / 3600 + "h" : s / 86_400 + "d";
    }
}
