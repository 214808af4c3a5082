package dev.knowgate.monitor.probing;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.monitor.MonitorConfig;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The probe set: held-out facts the base model knows, as examples with purpose=probe. From the fact
 * world the base model was trained on (its probe split, never in the fine-tuning pool), or from a
 * JSONL file of examples.
 */
public record ProbeSet(List<Example> probes) {

    public ProbeSet {
        probes = List.copyOf(probes);
    }

    public static ProbeSet from(MonitorConfig.Probes config) throws IOException {
        return switch (config.source().trim().toLowerCase(Locale.ROOT)) {
            case "world" -> world(config.worldPreset(), config.worldSeed());
            case "file" -> file(config.file().orElseThrow(() ->
                    new IllegalArgumentException("knowgate.monitor.probes.source=file needs knowgate.monitor.probes.file")));
            default -> throw new IllegalArgumentException("knowgate.monitor.probes.source must be world or file, got "
                    + config.source());
        };
    }

    public static ProbeSet world(String preset, long seed) {
        List<Example> out = new ArrayList<>();
        for (Fact f : FactWorld.generate(WorldConfig.preset(preset, seed)).probes()) {
            out.add(f.toExample());
        }
        return new ProbeSet(out);
    }

    /** One Example JSON per line; a bad line is an error naming the line and the field. */
    public static ProbeSet file(Path file) throws IOException {
        List<Example> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                Example e = ContractJson.read(lines.get(i), Example.class);
                out.add(new Example(e.schemaVersion(), e.id(), e.question(), e.answer(), e.aliases(), e.relation(),
                        e.subject(), e.source(), e.curator(), e.submission(), e.submittedAt(), Purpose.PROBE));
            } catch (ContractViolation v) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + v.getMessage(), v);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no probes");
        }
        return new ProbeSet(out);
    }
}
