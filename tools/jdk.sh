# Sourced by ./segbench, ./run-tests and .ci/run: sets SEGBENCH_JAVA_HOME to a JDK >= 22 (with javac),
# preferring the newest. The machine's default java may be older (17), so we look beyond PATH.
segbench_find_jdk() {
  local min=22 best="" best_ver=0 d ver candidates=()
  [ -n "${SEGBENCH_JAVA_HOME:-}" ] && candidates+=("$SEGBENCH_JAVA_HOME")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/jdk* /usr/local/java/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -d "$d" ] && candidates+=("$d")
  done
  for d in "${candidates[@]}"; do
    [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
    ver=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$d/release" 2>/dev/null)
    [ -n "$ver" ] || ver=$("$d/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
    [ -n "$ver" ] || continue
    if [ "$ver" -ge "$min" ] && [ "$ver" -gt "$best_ver" ]; then best="$d"; best_ver="$ver"; fi
  done
  if [ -z "$best" ]; then
    echo "segbench: no JDK >= $min found (looked at \$JAVA_HOME, PATH and /usr/lib/jvm); install one, e.g. 'apt-get install openjdk-25-jdk-headless' or Temurin 25, or set SEGBENCH_JAVA_HOME" >&2
    return 1
  fi
  SEGBENCH_JAVA_HOME="$best"
  SEGBENCH_JAVA_VERSION="$best_ver"
  export SEGBENCH_JAVA_HOME SEGBENCH_JAVA_VERSION
}

segbench_require_maven() {
  command -v mvn >/dev/null 2>&1 && return 0
  echo "segbench: Maven (mvn) is needed to build; install it, e.g. 'apt-get install maven'" >&2
  return 1
}
