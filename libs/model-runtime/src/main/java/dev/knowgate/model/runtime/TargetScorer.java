package dev.knowgate.model.runtime;

import ai.onnxruntime.OrtException;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Teacher-forced scoring of target tokens in one batched forward pass: argmax, log-probability,
 * and the exact probability of sampling each target at temperature T with top-k. Reads one
 * vocabulary row per target position; nothing else of the logits is touched.
 */
public final class TargetScorer {

    private final OnnxCausalLm model;
    private final int padId;

    public TargetScorer(OnnxCausalLm model, int padId) {
        this.model = model;
        this.padId = padId;
    }

    public List<TargetScore> score(List<ScoringRequest> requests, double temperature, int topK) throws OrtException {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        }
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        }
        List<int[]> sequences = requests.stream().map(ScoringRequest::tokens).toList();
        return model.forward(sequences, padId, logits -> {
            float[] row = new float[logits.vocab()];
            List<TargetScore> scores = new ArrayList<>(requests.size());
            for (int b = 0; b < requests.size(); b++) {
                ScoringRequest request = requests.get(b);
                int n = request.targets();
                int[] argmax = new int[n];
                int[] targets = new int[n];
                double[] logProb = new double[n];
                double[] sampled = new double[n];
                for (int t = 0; t < n; t++) {
                    int position = request.firstTarget() + t;
                    int target = request.tokens()[position];
                    logits.row(b, position - 1, row);
                    targets[t] = target;
                    argmax[t] = argmax(row);
                    logProb[t] = logSoftmaxAt(row, target, 1.0, row.length);
                    sampled[t] = logSoftmaxAt(row, target, temperature, topK);
                }
                scores.add(new TargetScore(argmax, logProb, sampled, targets));
            }
            return scores;
        });
    }

    static int argmax(float[] row) {
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
        float threshold = k >= row.length ? Float.NEGATIVE_INFINITY : kthLargest(row, k);
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

    private static float kthLargest(float[] row, int k) {
        PriorityQueue<Float> top = new PriorityQueue<>(k);
        for (float v : row) {
            if (top.size() < k) {
                top.add(v);
            } else if (v > top.peek()) {
                top.poll();
                top.add(v);
            }
        }
        return top.peek();
    }
}
