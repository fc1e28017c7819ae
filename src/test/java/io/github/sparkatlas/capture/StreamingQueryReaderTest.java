package io.github.sparkatlas.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.ArrayList;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** What a streaming query's progress says it read, without a SparkSession. */
class StreamingQueryReaderTest {
  @Test
  void theTopicsOfAKafkaOffsetAreItsTopLevelKeys() {
    assertEquals(Arrays.asList("events.a", "Events.B", "odd\"name"), new ArrayList<>(StreamingQueryReader
        .topicsOfOffset("{\"events.a\":{\"0\":12,\"1\":3}, \"Events.B\" : {\"0\":0},\"odd\\\"name\":{\"2\":7}}")));
  }

  @Test
  void anOffsetThatIsNoKafkaOffsetNamesNoTopic() {
    assertEquals(Collections.emptySet(), StreamingQueryReader.topicsOfOffset(null));
    assertEquals(Collections.emptySet(), StreamingQueryReader.topicsOfOffset("12"));
    assertEquals(Collections.emptySet(), StreamingQueryReader.topicsOfOffset("[{\"path\":\"x\"}]"));
  }

  @Test
  void aPatternKnowsItsOwnSourceDescription() {
    StreamingQueryReader.KafkaPattern pattern = new StreamingQueryReader.KafkaPattern("b:9092", "events\\..*");
    assertTrue(pattern.describes("KafkaV2[SubscribePattern[events\\..*]]"));
    assertFalse(pattern.describes("KafkaV2[SubscribePattern[orders.*]]"));
    assertFalse(pattern.describes("KafkaV2[Subscribe[events.a]]"));
    assertEquals("topic:b:9092/events.a", pattern.topic("events.a").key());
  }
}
