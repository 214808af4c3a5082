# Sourced by the bin/ scripts that run a program of the tools module (tools/: pre-training, fine-tuning,
# the experiments, the knowledge report, the benchmarks, bin/run's progress view).
#
#   tools_classpath MAIN_CLASS     sets TOOLS_CP to tools/target/classes plus its dependencies
#
# Builds the module with what it needs (package, not install: the project's own libraries come from this
# checkout's reactor, libs/*/target and trainer/target, and the shared ~/.m2 snapshots, which another
# checkout may have installed, are left alone) when the main class or the classpath file is missing, or a
# source or pom changed after the classpath file was written (bin/lib/stale.sh).
# shellcheck source=bin/lib/stale.sh
source "$(dirname "${BASH_SOURCE[0]}")/stale.sh"
tools_classpath() {
  local main="$1" cp_file="tools/target/tools.classpath"
  local class="tools/target/classes/${main//.//}.class"
  if [[ ! -f "$class" ]] || stale "$cp_file" pom.xml libs tools trainer; then
    echo "[tools] building tools/ and what it needs (./mvnw -q -pl tools -am package -DskipTests)" >&2
    ./mvnw -q -pl tools -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/tools.classpath >&2
  fi
  TOOLS_CP="tools/target/classes:$(cat "$cp_file")"
}
