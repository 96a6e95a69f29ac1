/**
 * Helpers shared by throttle-net's own modules (argument checks, saturated arithmetic, the system
 * clock, timers). Exported only to those modules; not part of the public API and free to change.
 */
package io.throttlenet.core.internal;
