#!/usr/bin/env bash
# Builds the agent, runs the sample ETL job on a real local Spark with the agent on its embedded default
# (offline file sink), then prints the lineage the agent captured. Needs only Java 17 and Maven.
set -euo pipefail
cd "$(dirname "$0")"

echo "==> building the agent jar"
mvn -B -q -DskipTests package
agent_jar=$(ls target/spark-atlas-agent_2.12-*.jar | grep -v -- '-tests.jar' | head -n 1)
app_jar=$(ls target/spark-atlas-agent_2.12-*-tests.jar | head -n 1)

echo "==> resolving a Spark runtime from Maven Central"
work=target/quickstart
rm -rf "$work"
mkdir -p "$work"
mvn -B -q -f src/test/runtimes/spark/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/$work/spark.classpath"

# The JVM flags bin/spark-submit adds on Java 17, kept once in pom.xml.
read -r -a java_flags <<< "$(sed -n 's:.*<java17.spark.flags>\(.*\)</java17.spark.flags>.*:\1:p' pom.xml)"

echo "==> running the sample ETL job with spark-submit --jars $agent_jar"
(
  cd "$work"
  SPARK_LOCAL_IP=127.0.0.1 java "${java_flags[@]}" -Xmx1g -cp "$(cat spark.classpath)" \
    org.apache.spark.deploy.SparkSubmit \
    --master 'local[2]' \
    --conf spark.ui.enabled=false \
    --conf spark.extraListeners=io.github.sparkatlas.SparkAtlasListener \
    --conf "spark.driver.extraJavaOptions=-Dlog4j2.level=warn" \
    --jars "../../$agent_jar" \
    --class io.github.sparkatlas.examples.SampleEtlJob \
    "../../$app_jar" sample-etl 2>&1 | grep -E 'spark-atlas-agent|^SampleEtlJob| ERROR ' || true
)

echo "==> lineage captured by the agent (java -jar $agent_jar show $work/spark-atlas-lineage)"
java -jar "$agent_jar" show "$work/spark-atlas-lineage"
