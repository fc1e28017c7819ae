package io.github.sparkatlas.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import org.junit.jupiter.api.Test;

class OutboundMessageTest {
  @Test
  void planTextLongerThanJacksonsDefaultStringLimitCanBeShed() {
    // Over the 20 M characters Jackson accepts per string by default; atlas.spark.plan.text.max.length allows 100 M.
    String planText = String.join("", Collections.nCopies(2_500_000, "Project [x]"));
    String body = "{\"type\":\"ENTITY_CREATE_V2\",\"user\":\"u\",\"entities\":{\"entities\":[{\"typeName\":"
        + "\"spark_process\",\"guid\":\"-1\",\"attributes\":{\"qualifiedName\":\"app@ns\",\"sparkPlanDescription\":\""
        + planText + "\",\"details\":\"d\"}}],\"referredEntities\":{}}}";
    OutboundMessage notification = new OutboundMessage("app", "app@ns", "u", 1L, body, true);

    OutboundMessage shed = notification.withoutPlanText();

    assertFalse(shed.hasPlanText());
    assertFalse(shed.body().contains("Project [x]"));
    assertTrue(shed.body().contains("\"qualifiedName\":\"app@ns\""), shed.body());
    assertEquals("app@ns", shed.key());
  }
}
