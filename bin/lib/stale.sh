# Sourced by the bin/ scripts that run what Maven built (bin/run, bin/bench-service, the tools scripts).
#
#   stale STAMP PATH...   true when STAMP (a jar, a classpath file) is missing, or a source under a
#                         PATH is newer: a .java file, a pom.xml, or a file under src/main/resources
#
# So a checkout that moved on (git pull, an edit) is built again before it runs, instead of running
# what the last build left in target/. Build outputs (target/) are not looked at.
stale() {
  local stamp="$1"
  shift
  [[ -f "$stamp" ]] || return 0
  local newer
  newer="$(find "$@" -name target -prune -o -type f -newer "$stamp" \
    \( -name '*.java' -o -name pom.xml -o -path '*/src/main/resources/*' \) -print -quit 2>/dev/null)"
  [[ -n "$newer" ]]
}
