package io.github.sparkatlas.atlasrules.inatlas;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.atlas.AtlasConfiguration;
import org.apache.atlas.model.notification.AtlasNotificationMessage;
import org.apache.atlas.model.notification.HookNotification;
import org.apache.atlas.model.notification.MessageVersion;
import org.apache.atlas.notification.AbstractNotification;
import org.apache.atlas.notification.AtlasNotificationMessageDeserializer;
import org.apache.atlas.notification.SplitMessageAggregator;
import org.apache.atlas.notification.hook.HookMessageDeserializer;
import org.slf4j.LoggerFactory;

/**
 * Kafka record values of the ATLAS_HOOK topic, read by Atlas's own hook consumer code: {@link HookMessageDeserializer}
 * (what {@code NotificationHookConsumer} uses), i.e. {@code AtlasNotificationMessageDeserializer} for the envelope
 * version, GZIP, Base64 and the reassembly of split messages. A message counts as received when that deserializer
 * hands out a {@code HookNotification}; otherwise the reasons are what Atlas threw or logged.
 *
 * <p>A second deserializer built from the same Atlas class reads the same records into a plain JSON tree instead of
 * a {@code HookNotification}, so the tests get the message exactly as it was sent (field order, every attribute),
 * not as Atlas's model re-serializes it. Both see every record, so both buffers of split parts stay alike.
 */
public final class HookRecords {

    /**
     * Atlas warns on every message whose {@code source.version} is not the server's own build version (its hooks
     * send the Atlas version they were built with; we send the agent's version). The message is still processed.
     */
    static final String BUILD_VERSION_WARNING = "Hook and Atlas server build versions are not similar";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AtlasNotificationMessageDeserializer<HookNotification> atlas;
    private final AtlasNotificationMessageDeserializer<JsonNode> verbatim;

    /** Atlas's HookMessageDeserializer with Atlas's settings (15 min segment wait, 5 min purge interval). */
    public HookRecords() {
        this.atlas = new HookMessageDeserializer();
        this.verbatim = new Verbatim(AtlasConfiguration.NOTIFICATION_SPLIT_MESSAGE_SEGMENTS_WAIT_TIME_SECONDS.getLong()
                * 1000, AtlasConfiguration.NOTIFICATION_SPLIT_MESSAGE_BUFFER_PURGE_INTERVAL_SECONDS.getLong() * 1000);
    }

    /**
     * HookMessageDeserializer's steps with other split-buffer settings (HookMessageDeserializer itself only reads
     * them from atlas-application.properties, in seconds).
     */
    public HookRecords(Long segmentsWaitMillis, Long purgeIntervalMillis) {
        this.atlas = new WithTimes(segmentsWaitMillis, purgeIntervalMillis);
        this.verbatim = new Verbatim(segmentsWaitMillis, purgeIntervalMillis);
    }

    private static final class WithTimes extends AtlasNotificationMessageDeserializer<HookNotification> {
        WithTimes(long segmentsWaitMillis, long purgeIntervalMillis) {
            super(new TypeReference<HookNotification>() { },
                    new TypeReference<AtlasNotificationMessage<HookNotification>>() { },
                    AbstractNotification.CURRENT_MESSAGE_VERSION,
                    LoggerFactory.getLogger(HookMessageDeserializer.class), segmentsWaitMillis, purgeIntervalMillis);
        }

        @Override
        public HookNotification deserialize(String messageJson) {
            HookNotification ret = super.deserialize(messageJson);
            if (ret != null) {
                ret.normalize();
            }
            return ret;
        }
    }

    private static final class Verbatim extends AtlasNotificationMessageDeserializer<JsonNode> {
        Verbatim(long segmentsWaitMillis, long purgeIntervalMillis) {
            super(new TypeReference<JsonNode>() { }, new TypeReference<AtlasNotificationMessage<JsonNode>>() { },
                    AbstractNotification.CURRENT_MESSAGE_VERSION, LoggerFactory.getLogger(Verbatim.class),
                    segmentsWaitMillis, purgeIntervalMillis);
        }
    }

    /**
     * Feeds one record value to Atlas.
     *
     * @return a two-element list: the message JSON when this record completes one (else null), and the problems
     *         (why Atlas dropped or rejected something), possibly empty
     */
    public List<Object> accept(String recordValue) {
        List<String> problems = new ArrayList<>();
        String message = null;
        try (AtlasLogLines.Scope log = AtlasLogLines.scope()) {
            Part part = Part.of(recordValue);
            if (part != null && part.index == 0 && buffer(atlas).containsKey(part.msgId)) {
                problems.add("msgId " + part.msgId + ": part 1 arrived again; Atlas starts over, the "
                        + buffer(atlas).get(part.msgId).getReceivedSplitCount()
                        + " part(s) it had buffered are discarded");
            }
            HookNotification notification = null;
            try {
                notification = atlas.deserialize(recordValue);
            } catch (RuntimeException e) {
                problems.add("rejected by Atlas's HookMessageDeserializer: " + e);
            }
            for (String line : log.lines()) {
                // Atlas reads a value it cannot parse twice (as an envelope, then as an unwrapped message): one line
                if (!line.contains(BUILD_VERSION_WARNING) && !problems.contains(line)) {
                    problems.add(line);
                }
            }
            JsonNode tree = null;
            try {
                tree = verbatim.deserialize(recordValue);
            } catch (RuntimeException e) {
                tree = null;
            }
            log.lines();
            if (notification != null) {
                if (tree == null) {
                    throw new IllegalStateException("Atlas's HookMessageDeserializer read a message the same"
                            + " deserializer did not read as JSON: " + recordValue);
                }
                message = tree.toString();
            } else if (problems.isEmpty() && !(part != null && buffer(atlas).containsKey(part.msgId))) {
                problems.add("Atlas's HookMessageDeserializer returned no message");
            }
        }
        return Arrays.asList(message, problems);
    }

    /** Split messages still waiting for parts: msgId -> [parts received, parts in all]. */
    public Map<String, List<Long>> pending() {
        Map<String, List<Long>> ret = new LinkedHashMap<>();
        for (String msgId : new TreeSet<>(buffer(atlas).keySet())) {
            SplitMessageAggregator aggregator = buffer(atlas).get(msgId);
            ret.put(msgId, List.of(aggregator.getReceivedSplitCount(), aggregator.getTotalSplitCount()));
        }
        return ret;
    }

    /** Atlas's MessageVersion order: numeric parts, trailing zero parts ignored. */
    public static Integer compareVersions(String a, String b) {
        return new MessageVersion(a).compareTo(new MessageVersion(b));
    }

    /** The split fields of a record, read leniently (Atlas logs nothing): null unless it is one part of several. */
    private static final class Part {
        final String msgId;
        final int index;

        private Part(String msgId, int index) {
            this.msgId = msgId;
            this.index = index;
        }

        /** Reads only the top-level split fields, streaming past the (up to a megabyte of) message text. */
        static Part of(String recordValue) {
            String msgId = null;
            int index = 1;
            int count = 1;
            try (JsonParser parser = JSON.getFactory().createParser(recordValue)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    return null;
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.getCurrentName();
                    JsonToken value = parser.nextToken();
                    if ("msgId".equals(field) && value == JsonToken.VALUE_STRING) {
                        msgId = parser.getText();
                    } else if ("msgSplitIdx".equals(field) && value.isNumeric()) {
                        index = parser.getIntValue();
                    } else if ("msgSplitCount".equals(field) && value.isNumeric()) {
                        count = parser.getIntValue();
                    } else {
                        parser.skipChildren();
                    }
                }
            } catch (Exception e) {
                return null;
            }
            return count > 1 && msgId != null ? new Part(msgId, index) : null;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, SplitMessageAggregator> buffer(AtlasNotificationMessageDeserializer<?> deserializer) {
        try {
            Field field = AtlasNotificationMessageDeserializer.class.getDeclaredField("splitMsgBuffer");
            field.setAccessible(true);
            return (Map<String, SplitMessageAggregator>) field.get(deserializer);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Atlas's deserializer has no splitMsgBuffer any more", e);
        }
    }
}
