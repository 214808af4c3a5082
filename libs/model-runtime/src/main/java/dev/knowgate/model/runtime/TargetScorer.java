package dev.knowgate.model.runtime;

import ai.onnxruntime.OrtException;

import java.util.ArrayList;
import java.util.List;

/**
 * Teacher-forced scoring of target tokens in one batched forward pass: argmax, log-probability,
 * and the exact probability of sampling each target at temperature T with top-k. Reads one
 * vocabulary row per target position; nothing else of the logits is touched.
 */
public final class TargetScorer implements TeacherForcing {

    private final OnnxCausalLm model;
    private final int padId;

    public TargetScorer(OnnxCausalLm model, int padId) {
        this.model = model;
        this.padId = padId;
    }

    @Override
    public List<TargetScore> score(List<ScoringRequest> requests, double temperature, int topK) throws OrtException {
        checkSampling(temperature, topK);
        int longest = requests.stream().mapToInt(r -> r.tokens().length).max().orElse(1);
        int perCall = model.sequencesPerPass(longest, Integer.MAX_VALUE);
        if (requests.size() > perCall) {
            List<TargetScore> scores = new ArrayList<>(requests.size());
            for (int from = 0; from < requests.size(); from += perCall) {
                scores.addAll(score(requests.subList(from, Math.min(requests.size(), from + perCall)), temperature, topK));
            }
            return scores;
        }
        List<int[]> sequences = requests.stream().map(ScoringRequest::tokens).toList();
        return model.forward(sequences, padId, logits -> scoreRows(requests, temperature, topK, logits.vocab(),
                (b, position, into) -> logits.row(b, position, into)));
    }

    static void checkSampling(double temperature, int topK) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        }
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        }
    }

    /**
     * The same scores from logits first copied whole into Java arrays: the straightforward way,
     * kept only so the benchmark compares like with like.
     */
    public List<TargetScore> scoreCopying(List<ScoringRequest> requests, double temperature, int topK) throws OrtException {
        float[][][] logits = model.forwardCopying(requests.stream().map(ScoringRequest::tokens).toList(), padId);
        return scoreRows(requests, temperature, topK, model.vocabSize(),
                (b, position, into) -> System.arraycopy(logits[b][position], 0, into, 0, into.length));
    }

    /** Where one position's logits come from. */
    interface Rows {
        void read(int b, int position, float[] into);
    }

    static List<TargetScore> scoreRows(List<ScoringRequest> requests, double temperature, int topK, int vocab,
                                       Rows rows) {
        float[] row = new float[vocab];
        float[] heap = new float[Math.min(topK, vocab)];
        return eachTarget(requests, (b, request, t, target, into) -> {
            rows.read(b, request.firstTarget() + t - 1, row);
            greedyChoice(row, into, t);
            into.logProb[t] = logSoftmaxAt(row, target, 1.0, Float.NEGATIVE_INFINITY);
            into.sampled[t] = logSoftmaxAt(row, target, temperature,
                    topK >= vocab ? Float.NEGATIVE_INFINITY : kthLargest(row, heap));
        });
    }

    /**
     * {@link #scoreRows}'s scores from what the selected-rows export computed ({@link KvSession.Selected}):
     * request b's t-th target is row {@code offset[b] + t}; the top values hold {@code min(topK + 1, vocab)}
     * per row. The argmax is the first top index, log p(target) the target's logit less the row's
     * log-sum-exp, and the top-k normaliser the sum over the k largest values plus, when the k-th has
     * equal values beyond the k (the (k + 1)-th equals it), those found in the row.
     */
    static List<TargetScore> scoreSelected(List<ScoringRequest> requests, int[] offset, double temperature, int topK,
                                           int vocab, KvSession.Selected s) {
        int k = Math.min(topK, vocab);
        int width = Math.min(topK + 1, vocab);
        float[] row = new float[vocab];
        return eachTarget(requests, (b, request, t, target, into) -> {
            int r = offset[b] + t;
            float logit = s.logits().get(r * vocab + target);
            int top = r * width;
            double max = s.topValues().get(top);
            into.argmax[t] = (int) s.topIndices().get(top);
            into.lead[t] = width < 2 ? Double.POSITIVE_INFINITY
                    : TargetScore.lead(s.topValues().get(top), s.topValues().get(top + 1));
            into.logProb[t] = logit - (double) s.logSumExp().get(r);
            if (k >= vocab) {
                s.logits().get(r * vocab, row, 0, vocab);
                into.sampled[t] = logSoftmaxAt(row, target, temperature, Float.NEGATIVE_INFINITY);
                return;
            }
            float threshold = s.topValues().get(top + k - 1);
            if (logit < threshold) {
                into.sampled[t] = Double.NEGATIVE_INFINITY;
                return;
            }
            double sum = 0;
            int equalInTop = 0;
            for (int i = 0; i < k; i++) {
                float v = s.topValues().get(top + i);
                sum += Math.exp((v - max) / temperature);
                equalInTop += v == threshold ? 1 : 0;
            }
            if (s.topValues().get(top + k) == threshold) { // ties beyond the k: count them in the row
                int equal = 0;
                for (int i = 0; i < vocab; i++) {
                    equal += s.logits().get(r * vocab + i) == threshold ? 1 : 0;
                }
                sum += (equal - equalInTop) * Math.exp((threshold - max) / temperature);
            }
            into.sampled[t] = (logit - max) / temperature - Math.log(sum);
        });
    }

    /** One request's scores, filled target by target. */
    private record Filling(int[] argmax, double[] logProb, double[] sampled, double[] lead) {
        Filling(int n) {
            this(new int[n], new double[n], new double[n], new double[n]);
        }
    }

    @FunctionalInterface
    private interface PerTarget {
        void score(int b, ScoringRequest request, int t, int target, Filling into);
    }

    private static List<TargetScore> eachTarget(List<ScoringRequest> requests, PerTarget perTarget) {
        List<TargetScore> scores = new ArrayList<>(requests.size());
        for (int b = 0; b < requests.size(); b++) {
            ScoringRequest request = requests.get(b);
            int n = request.targets();
            int[] targets = new int[n];
            Filling into = new Filling(n);
            for (int t = 0; t < n; t++) {
                targets[t] = request.tokens()[request.firstTarget() + t];
                perTarget.score(b, request, t, targets[t], into);
            }
            // Alternatives to the last target: the same row, another column.
            int[] alternatives = request.finalAlternatives();
            double[] alternativesSampled = new double[alternatives.length];
            Filling scratch = new Filling(n);
            for (int i = 0; i < alternatives.length; i++) {
                perTarget.score(b, request, n - 1, alternatives[i], scratch);
                alternativesSampled[i] = scratch.sampled[n - 1];
            }
            scores.add(new TargetScore(into.argmax, into.logProb, into.sampled, targets, alternatives,
                    alternativesSampled, into.lead));
        }
        return scores;
    }

    /**
     * The row's argmax (as {@link #argmax}: the first, on ties) and its {@link TargetScore#lead} over
     * the largest other logit, in one scan of the row, into target {@code t} of {@code into}.
     */
    private static void greedyChoice(float[] row, Filling into, int t) {
        int best = 0;
        float runnerUp = Float.NEGATIVE_INFINITY;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                runnerUp = row[best];
                best = i;
            } else if (row[i] > runnerUp) {
                runnerUp = row[i];
            }
        }
        into.argmax[t] = best;
        into.lead[t] = row.length < 2 ? Double.POSITIVE_INFINITY : TargetScore.lead(row[best], runnerUp);
    }

    /** The index of the largest logit (the first, on ties): greedy decoding's choice. */
    public static int argmax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * log p(token) under softmax(row / temperature) restricted to the k largest logits (ties at the
     * k-th value all kept, as top-k sampling implementations filter by value), or -infinity when
     * the token is not among them.
     */
    static double logSoftmaxAt(float[] row, int token, double temperature, int k) {
        float threshold = k >= row.length ? Float.NEGATIVE_INFINITY : kthLargest(row, new float[k]);
        return logSoftmaxAt(row, token, temperature, threshold);
    }

    /** log p(token) under softmax(row / temperature) over the logits at or above {@code threshold}. */
    static double logSoftmaxAt(float[] row, int token, double temperature, float threshold) {
        if (row[token] < threshold) {
            return Double.NEGATIVE_INFINITY;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : row) {
            if (v >= threshold) {
                sum += Math.exp((v - max) / temperature);
            }
        }
        return (row[token] - max) / temperature - Math.log(sum);
    }

    /** The k-th largest value of {@code row}, k = heap.length, with a primitive min-heap (no boxing). */
    static float kthLargest(float[] row, float[] heap) {
        int k = heap.length;
        for (int i = 0; i < k; i++) {
            heap[i] = row[i];
            siftUp(heap, i);
        }
        for (int i = k; i < row.length; i++) {
            if (row[i] > heap[0]) {
                heap[0] = row[i];
                siftDown(heap, k);
            }
        }
        return heap[0];
    }

    private static void siftUp(float[] heap, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (heap[parent] <= heap[i]) {
                return;
            }
            float tmp = heap[parent];
            heap[parent] = heap[i];
            heap[i] = tmp;
            i = parent;
        }
    }

    private static void siftDown(float[] heap, int size) {
        int i = 0;
        while (true) {
            int smallest = i;
            int left = 2 * i + 1;
            int right = left + 1;
            if (left < size && heap[left] < heap[smallest]) {
                smallest = left;
            }
            if (right < size && heap[right] < heap[smallest]) {
                smallest = right;
            }
            if (smallest == i) {
                return;
            }
            float tmp = heap[smallest];
            heap[smallest] = heap[i];
            heap[i] = tmp;
            i = smallest;
        }
    }
}
