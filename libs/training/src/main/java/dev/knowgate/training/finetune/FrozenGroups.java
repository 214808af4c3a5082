package dev.knowgate.training.finetune;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which parameter groups a round leaves untouched, by the parameter names of either architecture
 * (GPT-2's in {@code dev.knowgate.model.gpt.GptWeights}, LlamaForCausalLM's in
 * {@code dev.knowgate.model.llama.LlamaWeights}): {@code embeddings} (wte, wpe; embed_tokens),
 * {@code attention} (h.*.attn.*; model.layers.*.self_attn.*), {@code mlp} (*.mlp.*), {@code norms}
 * (ln_1, ln_2, ln_f; input_layernorm, post_attention_layernorm, model.norm) and {@code layers:A-B}
 * (every parameter of blocks A to B, inclusive). Freezing the embeddings also freezes a tied LM head;
 * an untied Llama head (lm_head) is its own parameter and stays trainable.
 */
public record FrozenGroups(List<String> specs, Predicate<String> frozen) {

    private static final Pattern LAYERS = Pattern.compile("layers:(\\d+)-(\\d+)");
    private static final Pattern BLOCK = Pattern.compile("(?:h|model\\.layers)\\.(\\d+)\\..*");

    public static FrozenGroups none() {
        return parse(List.of());
    }

    /** @throws IllegalArgumentException naming a spec that is not one of the groups above */
    public static FrozenGroups parse(List<String> specs) {
        List<Predicate<String>> parts = new ArrayList<>();
        for (String raw : specs) {
            String spec = raw.trim().toLowerCase(Locale.ROOT);
            Matcher layers = LAYERS.matcher(spec);
            switch (spec) {
                case "embeddings" -> parts.add(n -> n.equals("wte") || n.equals("wpe") || n.equals("model.embed_tokens.weight"));
                case "attention" -> parts.add(n -> n.contains(".attn.") || n.contains(".self_attn."));
                case "mlp" -> parts.add(n -> n.contains(".mlp."));
                case "norms" -> parts.add(n -> n.startsWith("ln_f.") || n.contains(".ln_1.") || n.contains(".ln_2.")
                        || n.contains("layernorm.") || n.equals("model.norm.weight"));
                default -> {
                    if (!layers.matches()) {
                        throw new IllegalArgumentException("unknown parameter group '" + raw
                                + "' (embeddings, attention, mlp, norms, layers:A-B)");
                    }
                    int from = Integer.parseInt(layers.group(1));
                    int to = Integer.parseInt(layers.group(2));
                    if (from > to) {
                        throw new IllegalArgumentException("empty layer range '" + raw + "'");
                    }
                    parts.add(n -> {
                        Matcher block = BLOCK.matcher(n);
                        if (!block.matches()) {
                            return false;
                        }
                        int layer = Integer.parseInt(block.group(1));
                        return layer >= from && layer <= to;
                    });
                }
            }
        }
        Predicate<String> any = n -> parts.stream().anyMatch(p -> p.test(n));
        return new FrozenGroups(List.copyOf(specs), any);
    }

    public boolean isFrozen(String parameterName) {
        return frozen.test(parameterName);
    }
}
