# Sourced by Strata's scripts: exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: JAVA_HOME if it is new enough, then `java` on the PATH, then the newest JDK under /usr/lib/jvm.

strata_java_major() {
  # Prints the feature version of the JDK at $1 (a JAVA_HOME), or nothing.
  local release="$1/release"
  if [ -f "$release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" | head -n 1
  elif [ -x "$1/bin/java" ]; then
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -n 1
  fi
}

strata_find_jdk() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(strata_java_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      echo "$JAVA_HOME"
      return 0
    fi
  fi
  if command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(strata_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      echo "$candidate"
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/*; do
    [ -x "$candidate/bin/javac" ] || continue
    major=$(strata_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate"
      best_major="$major"
    fi
  done
  if [ -n "$best" ]; then
    echo "$best"
    return 0
  fi
  return 1
}

if ! STRATA_JDK=$(strata_find_jdk); then
  echo "strata: no JDK 21 or newer found. Set JAVA_HOME to one, or install one under /usr/lib/jvm (for example: apt-get install openjdk-21-jdk-headless)." >&2
  exit 1
fi
export JAVA_HOME="$STRATA_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
