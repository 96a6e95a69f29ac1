package io.throttlenet.queue;

import io.throttlenet.core.Event;
import java.time.Duration;
import java.util.Objects;

/** Events published by an {@link AdmissionQueue}; built only when somebody listens. */
public sealed interface QueueEvent extends Event
    permits QueueEvent.Enqueued, QueueEvent.Dispatched, QueueEvent.Dropped, QueueEvent.Expired {

  /**
   * A caller joined the queue.
   *
   * @param component the queue's name
   * @param priority its priority
   * @param cost its cost
   * @param depth waiters in the queue, this one included
   */
  record Enqueued(String component, int priority, long cost, int depth) implements QueueEvent {
    public Enqueued {
      Objects.requireNonNull(component, "component");
    }
  }

  /**
   * A caller's turn came and its cost was granted.
   *
   * @param component the queue's name
   * @param priority its priority
   * @param cost its cost
   * @param waited how long it waited in the queue
   */
  record Dispatched(String component, int priority, long cost, Duration waited) implements QueueEvent {
    public Dispatched {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(waited, "waited");
    }
  }

  /**
   * A caller was refused or dropped because the queue was full.
   *
   * @param component the queue's name
   * @param priority its priority
   * @param queued true if it had been queued (dropped to make room), false if refused on arrival
   */
  record Dropped(String component, int priority, boolean queued) implements QueueEvent {
    public Dropped {
      Objects.requireNonNull(component, "component");
    }
  }

  /**
   * A caller's deadline passed (or was predicted to pass) before its turn.
   *
   * @param component the queue's name
   * @param priority its priority
   * @param predicted true if refused on arrival by prediction
   */
  record Expired(String component, int priority, boolean predicted) implements QueueEvent {
    public Expired {
      Objects.requireNonNull(component, "component");
    }
  }
}
