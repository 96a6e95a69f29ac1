package io.throttlenet.bucket;

import io.throttlenet.core.Event;
import java.util.Objects;

/** Events published by a {@link PerKey}; built only when somebody listens. */
public sealed interface PerKeyEvent extends Event permits PerKeyEvent.IndebtedEviction {

  /**
   * A key's limiter was dropped (to respect the cap, or expired) while it still owed permits: the
   * key's next request starts afresh, so the debt is forgiven. Counted in {@link
   * PerKey#indebtedEvictions()}; the defaults make it rare (idle keys expire only once refilled).
   *
   * @param component the per-key limiter's name
   * @param key the key, as text
   * @param owed how many permits short of full the limiter was
   */
  record IndebtedEviction(String component, String key, long owed) implements PerKeyEvent {
    public IndebtedEviction {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(key, "key");
    }
  }
}
