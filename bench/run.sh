#!/usr/bin/env bash
# Runs the benchmarks behind docs/benchmarks.md, one after the other; each writes its figures to the console and
# to target/bench-results/<name>-<time>.txt. They are never part of `mvn verify`: surefire's `bench` execution is
# bound to no phase.
#
#   bench/run.sh                          all of them (about 3 hours on a shared 2-core machine)
#   bench/run.sh CaptureCost RetainedHeap only these (class name without "Benchmark")
#   BENCH_ARGS="-Dbench.writes=2000" bench/run.sh RetainedHeap
#
# Options (BENCH_ARGS): ListenerOverhead -Dbench.pairs=10 -Dbench.rounds=17; RetainedHeap -Dbench.writes=10000
# -Dbench.distinct=true; SinkThroughput -Dbench.messages=20000; MessageVolume -Dbench.paced.seconds=30;
# StreamingSoak -Dbench.messageBatches=1000 -Dbench.soakSeconds=600 -Dbench.soakBatches=100000
# -Dbench.granularity=query -Dbench.withoutAgent=true.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -eq 0 ]; then
  set -- CaptureCost ListenerOverhead RetainedHeap SinkThroughput MessageVolume StreamingSoak
fi
# The Spark runs submit the agent jar and the test-jar, so both must be current.
mvn -o -q package -DskipTests
for name in "$@"; do
  # shellcheck disable=SC2086 # BENCH_ARGS is a list of -D options
  mvn -o ${BENCH_ARGS:-} surefire:test@bench -Dtest="${name}Benchmark"
done
echo "results: $(pwd)/target/bench-results"
