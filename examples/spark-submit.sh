#!/usr/bin/env bash
# Submit any Spark job with lineage to Atlas / Purview. The agent is one jar and one listener setting.
AGENT_JAR=/opt/spark-atlas-agent/spark-atlas-agent_2.12-0.1.0.jar

spark-submit \
  --jars "$AGENT_JAR" \
  --conf spark.extraListeners=io.github.sparkatlas.SparkAtlasListener \
  --files /etc/atlas/atlas-application.properties \
  --class com.example.MyEtlJob \
  my-etl-job.jar "$@"
