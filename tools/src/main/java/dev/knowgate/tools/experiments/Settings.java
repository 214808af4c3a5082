package dev.knowgate.tools.experiments;

import java.nio.file.Path;
import java.util.List;

/**
 * The experiments' settings (see {@link ExperimentRunner} for the options and their defaults).
 *
 * @param model         the base model version folder
 * @param out           JSON results (and the SliCK cache)
 * @param plots         PNG plots
 * @param seeds         repeat seeds: training-set draws and FineTuner's shuffling
 * @param threads       PyTorch (and ONNX Runtime) threads
 * @param quick         smoke run
 * @param lr            AdamW learning rate of every fine-tuning run
 * @param batchSize     examples per step
 * @param maxEpochs     early-stopping runs: epochs at most
 * @param patience      early-stopping runs: epochs without a better dev accuracy before stopping
 * @param convEpochs    "convergence": this many epochs, no early stopping
 * @param devSize       Known pool facts held out for early stopping
 * @param poolTestSize  pool facts of any category held out as a mixed test set
 * @param poolLimit     the first this-many pool facts are used (all in a full run)
 * @param probeLimit    the first this-many probes are used (all in a full run)
 * @param gekhmanN      |D| of the Gekhman sets
 * @param categorySize  size of each single-category set (at most what the smallest category allows)
 * @param kaplanN       Unknown facts learned in the forgetting experiment
 * @param kaplanEpochs  its fixed epochs
 */
record Settings(Path model, Path out, Path plots, List<Long> seeds, int threads, boolean quick, float lr,
                int batchSize, int maxEpochs, int patience, int convEpochs, int devSize, int poolTestSize,
                int poolLimit, int probeLimit, int gekhmanN, int categorySize, int kaplanN, int kaplanEpochs) {
}
