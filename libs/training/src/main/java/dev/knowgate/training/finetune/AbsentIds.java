package dev.knowgate.training.finetune;

import dev.knowgate.model.gpt.GptWeights.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The ids a model does not have: rows of a tied embedding that are exactly zero (the project's
 * pre-training leaves every id the world never shows at zero, docs/model.md) and that no sequence
 * of the round uses. Each has a logit of exactly 0, so a round can train on the other ids alone and
 * count the absent ones in every softmax as {@code absent} x e^0: the same losses, distillation and
 * argmax as over the whole vocabulary with those rows held at zero, and about as many times cheaper
 * as the vocabulary is larger than the ids in use (a 32,000-id head against the few thousand a
 * model of the fact world knows). The rows stay zero in the weights the round returns.
 *
 * @param fullSize the vocabulary's size
 * @param toFull   compact id -> full id, ascending
 */
record AbsentIds(int fullSize, int[] toFull) {

    /**
     * The compaction of a round, or null when every id is in use (nothing to gain).
     *
     * @param embeddings the tied [vocab, d] embeddings of the student and of its teacher; an id counts as
     *                   absent only where every one of them is zero
     */
    static AbsentIds of(List<Tensor> embeddings, List<List<QaSequence>> sequences) {
        int fullSize = embeddings.get(0).shape()[0];
        int d = embeddings.get(0).shape()[1];
        BitSet used = new BitSet(fullSize);
        for (Tensor e : embeddings) {
            float[] rows = e.data();
            for (int id = 0; id < fullSize; id++) {
                for (int j = id * d; j < (id + 1) * d; j++) {
                    if (rows[j] != 0f) {
                        used.set(id);
                        break;
                    }
                }
            }
        }
        for (List<QaSequence> list : sequences) {
            for (QaSequence q : list) {
                for (int id : q.ids()) {
                    used.set(id);
                }
            }
        }
        return used.cardinality() == fullSize ? null : new AbsentIds(fullSize, used.stream().toArray());
    }

    int size() {
        return toFull.length;
    }

    long absent() {
        return fullSize - (long) toFull.length;
    }

    List<QaSequence> compact(List<QaSequence> sequences) {
        List<QaSequence> out = new ArrayList<>(sequences.size());
        for (QaSequence q : sequences) {
            int[] ids = new int[q.ids().length];
            for (int t = 0; t < ids.length; t++) {
                ids[t] = Arrays.binarySearch(toFull, q.ids()[t]);
            }
            out.add(new QaSequence(ids, q.answerStart()));
        }
        return out;
    }

    /** The used rows of a [fullSize, d] matrix, in compact order. */
    Tensor compactRows(Tensor full) {
        int d = full.shape()[1];
        float[] rows = new float[toFull.length * d];
        for (int i = 0; i < toFull.length; i++) {
            System.arraycopy(full.data(), toFull[i] * d, rows, i * d, d);
        }
        return new Tensor(new int[] {toFull.length, d}, rows);
    }

    /** A compact [size, d] matrix at its full ids, zeros elsewhere. */
    Tensor expandRows(Tensor compact) {
        int d = compact.shape()[1];
        float[] rows = new float[fullSize * d];
        for (int i = 0; i < toFull.length; i++) {
            System.arraycopy(compact.data(), i * d, rows, toFull[i] * d, d);
        }
        return new Tensor(new int[] {fullSize, d}, rows);
    }
}
