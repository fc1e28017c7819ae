package io.github.sparkatlas.bench;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import org.apache.spark.SparkEnv;
import org.apache.spark.metrics.source.Source;
import scala.collection.JavaConverters;

/**
 * Spark's own measure of each listener: LiveListenerBus keeps a Codahale timer
 * {@code listenerProcessingTime.<listener class>} around every event it hands to that listener, whatever the event
 * type. Read in the driver, after the bus has drained, independently of anything the agent records itself.
 */
final class ListenerBusTimers {

    private static final String PREFIX = "listenerProcessingTime.";

    private ListenerBusTimers() {
    }

    /** One line per listener class: {@code BENCH listenerTimer <class> count=.. p50=..ms p99=..ms max=..ms}. */
    static void print(PrintStream out) {
        for (Source source : JavaConverters.seqAsJavaList(SparkEnv.get().metricsSystem()
                .getSourcesByName("LiveListenerBus"))) {
            for (Map.Entry<String, Timer> timer : source.metricRegistry().getTimers().entrySet()) {
                if (!timer.getKey().startsWith(PREFIX)) {
                    continue;
                }
                // Snapshot values are nanoseconds; the reservoir keeps ~1028 samples biased to the last 5 minutes.
                Snapshot s = timer.getValue().getSnapshot();
                out.println(String.format(Locale.ROOT, "BENCH listenerTimer %s count=%d p50=%.3fms p99=%.3fms "
                                + "max=%.3fms", timer.getKey().substring(PREFIX.length()), timer.getValue().getCount(),
                        s.getMedian() / 1e6, s.get99thPercentile() / 1e6, s.getMax() / 1e6));
            }
        }
    }
}
