package dev.knowgate.model.runtime;

import ai.onnxruntime.OrtException;

import java.util.List;

/** Scores the targets of each request by teacher forcing, in request order. */
public interface TeacherForcing {

    List<TargetScore> score(List<ScoringRequest> requests, double temperature, int topK) throws OrtException;
}
