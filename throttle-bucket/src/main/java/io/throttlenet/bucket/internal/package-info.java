/**
 * The lock-free state and the all-or-nothing charging protocol behind throttle-bucket's limiters.
 * Exported only to throttle-net's own modules; not part of the public API and free to change.
 */
package io.throttlenet.bucket.internal;
