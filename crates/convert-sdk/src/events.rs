//! Lifecycle events: the six events with their wire strings, one typed
//! payload each, and the handler registry.

use std::sync::{Arc, RwLock};

use crate::error::SdkError;

/// The lifecycle events (`SystemEvents` in the JS SDK).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LifecycleEvent {
    /// `ready`: the SDK has a config.
    Ready,
    /// `config.updated`: a refresh swapped in a config that differs.
    ConfigUpdated,
    /// `bucketing`: a visitor got a variation.
    Bucketing,
    /// `conversion`: a conversion was tracked.
    Conversion,
    /// `api.queue.released`: the tracking queue was sent (or failed to be).
    ApiQueueReleased,
    /// `diagnostic`: a `diagnose_*` call produced a result.
    Diagnostic,
    /// `api.queue.dropped`: tracking events were given up on (the bounded
    /// queue was full, or the SDK closed with events it could not send).
    /// The Rust SDK's own event; the JS SDK has no such event.
    EventsDropped,
}

impl LifecycleEvent {
    /// Every event.
    pub const ALL: &'static [LifecycleEvent] = &[
        LifecycleEvent::Ready,
        LifecycleEvent::ConfigUpdated,
        LifecycleEvent::Bucketing,
        LifecycleEvent::Conversion,
        LifecycleEvent::ApiQueueReleased,
        LifecycleEvent::Diagnostic,
        LifecycleEvent::EventsDropped,
    ];

    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleEvent::Ready => "ready",
            LifecycleEvent::ConfigUpdated => "config.updated",
            LifecycleEvent::Bucketing => "bucketing",
            LifecycleEvent::Conversion => "conversion",
            LifecycleEvent::ApiQueueReleased => "api.queue.released",
            LifecycleEvent::Diagnostic => "diagnostic",
            LifecycleEvent::EventsDropped => "api.queue.dropped",
        }
    }
}

/// Why the queue was released.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReleaseReason {
    /// `batch_size` events were queued.
    Size,
    /// The release interval elapsed.
    Interval,
    /// [`Core::flush`](crate::Core::flush).
    Flush,
    /// [`Core::close`](crate::Core::close) or drop.
    Close,
}

impl ReleaseReason {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseReason::Size => "size",
            ReleaseReason::Interval => "timeout",
            ReleaseReason::Flush => "flush",
            ReleaseReason::Close => "close",
        }
    }
}

/// Why tracking events were dropped (`spec/tracking.md`, `tracking.delivery`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// The queue held `max_queued_events`: the oldest events made room.
    QueueFull,
    /// [`Core::close`](crate::Core::close) could not send them.
    Closed,
}

impl DropReason {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::QueueFull => "queue_full",
            DropReason::Closed => "closed",
        }
    }
}

/// The payload of each event.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum EventPayload {
    /// [`LifecycleEvent::Ready`].
    Ready,
    /// [`LifecycleEvent::ConfigUpdated`].
    ConfigUpdated,
    /// [`LifecycleEvent::Bucketing`].
    Bucketing {
        /// The visitor.
        visitor_id: String,
        /// The experience key.
        experience_key: String,
        /// The variation id.
        variation_id: String,
        /// The variation key, if any.
        variation_key: Option<String>,
    },
    /// [`LifecycleEvent::Conversion`].
    Conversion {
        /// The visitor.
        visitor_id: String,
        /// The goal key as passed.
        goal_key: String,
    },
    /// [`LifecycleEvent::ApiQueueReleased`].
    ApiQueueReleased {
        /// Why.
        reason: ReleaseReason,
        /// Visitors in the batch.
        visitor_count: usize,
        /// Events in the batch.
        event_count: usize,
        /// The HTTP status, when a response arrived.
        status: Option<u16>,
    },
    /// [`LifecycleEvent::EventsDropped`].
    EventsDropped {
        /// Why.
        reason: DropReason,
        /// The dropped events, by visitor, oldest first: what a caller needs
        /// to count them or keep them elsewhere.
        visitors: Vec<crate::queue::VisitorEvents>,
    },
    /// [`LifecycleEvent::Diagnostic`].
    Diagnostic {
        /// The visitor.
        visitor_id: String,
        /// What was diagnosed (experience or feature key).
        key: String,
        /// The reason code.
        reason: String,
    },
}

impl EventPayload {
    /// The event this payload belongs to.
    pub fn event(&self) -> LifecycleEvent {
        match self {
            EventPayload::Ready => LifecycleEvent::Ready,
            EventPayload::ConfigUpdated => LifecycleEvent::ConfigUpdated,
            EventPayload::Bucketing { .. } => LifecycleEvent::Bucketing,
            EventPayload::Conversion { .. } => LifecycleEvent::Conversion,
            EventPayload::ApiQueueReleased { .. } => LifecycleEvent::ApiQueueReleased,
            EventPayload::Diagnostic { .. } => LifecycleEvent::Diagnostic,
            EventPayload::EventsDropped { .. } => LifecycleEvent::EventsDropped,
        }
    }
}

/// A handler: called with the payload and, for failures, the error.
pub type Handler = Arc<dyn Fn(&EventPayload, Option<&SdkError>) + Send + Sync>;

/// The handler registry.
#[derive(Default)]
pub(crate) struct EventBus {
    handlers: RwLock<Vec<(LifecycleEvent, Handler)>>,
}

impl EventBus {
    pub(crate) fn on(&self, event: LifecycleEvent, handler: Handler) {
        self.handlers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push((event, handler));
    }

    /// Whether any handler listens to `event` (callers skip building a
    /// payload nobody receives).
    pub(crate) fn has_handlers(&self, event: LifecycleEvent) -> bool {
        self.handlers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|(e, _)| *e == event)
    }

    /// Calls the event's handlers; a panicking handler is contained.
    pub(crate) fn fire(&self, payload: &EventPayload, error: Option<&SdkError>) {
        let event = payload.event();
        let handlers: Vec<Handler> = self
            .handlers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(e, _)| *e == event)
            .map(|(_, h)| Arc::clone(h))
            .collect();
        for handler in handlers {
            let _ =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(payload, error)));
        }
    }
}
