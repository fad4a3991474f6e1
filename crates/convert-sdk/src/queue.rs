//! The tracking queue and the batch body (`spec/tracking.md`).
//!
//! Events are queued per visitor: a visitor's first event opens their entry
//! with the segments given then (frozen for the batch), later events append.
//! The queue counts events; the JS SDK's release rule is kept exactly: the
//! first event of an empty queue arms the interval timer, and only a later
//! event that brings the count to `batch_size` releases by size.

use serde_json::{Map, Value, json};

/// One tracking event.
#[derive(Clone, Debug, PartialEq)]
pub enum TrackingEvent {
    /// `{"eventType": "bucketing", "data": {"experienceId", "variationId"}}`.
    Bucketing {
        /// The experience id.
        experience_id: String,
        /// The variation id.
        variation_id: String,
    },
    /// `{"eventType": "conversion", "data": {"goalId", "goalData"?,
    /// "bucketingData"?}}`.
    Conversion {
        /// The goal id, as in config.
        goal_id: Value,
        /// The conversion data (a transaction event), if any.
        goal_data: Option<Vec<Value>>,
        /// The visitor's stored decisions, when there are any.
        bucketing_data: Option<Map<String, Value>>,
    },
}

impl TrackingEvent {
    /// The event as the body carries it.
    pub fn to_json(&self) -> Value {
        match self {
            TrackingEvent::Bucketing {
                experience_id,
                variation_id,
            } => json!({
                "eventType": "bucketing",
                "data": {"experienceId": experience_id, "variationId": variation_id}
            }),
            TrackingEvent::Conversion {
                goal_id,
                goal_data,
                bucketing_data,
            } => {
                let mut data = Map::new();
                data.insert("goalId".into(), goal_id.clone());
                if let Some(goal_data) =
                    convert_engine::mutant!("tracking.goal-data", goal_data.as_ref(), None)
                {
                    data.insert("goalData".into(), Value::Array(goal_data.clone()));
                }
                if let Some(bucketing) = convert_engine::mutant!(
                    "tracking.bucketing-data",
                    bucketing_data.as_ref(),
                    None
                ) {
                    data.insert("bucketingData".into(), Value::Object(bucketing.clone()));
                }
                json!({"eventType": "conversion", "data": data})
            }
        }
    }
}

/// A visitor's entry in a batch.
#[derive(Clone, Debug, PartialEq)]
pub struct VisitorEvents {
    /// The visitor.
    pub visitor_id: String,
    /// Their events, in order.
    pub events: Vec<TrackingEvent>,
    /// Their segments when the entry was opened (omitted when empty).
    pub segments: Option<Map<String, Value>>,
}

/// What an enqueue asks the caller to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterEnqueue {
    /// Nothing.
    Nothing,
    /// The queue was empty: start the interval timer.
    ArmTimer,
    /// `batch_size` events are queued: release now.
    Release,
}

/// The queue.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrackingQueue {
    items: Vec<VisitorEvents>,
    length: usize,
    /// After a failed release: how many more enqueues until one retries.
    retry_in: Option<usize>,
}

impl TrackingQueue {
    /// Queued events.
    pub fn len(&self) -> usize {
        self.length
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// Queues `event` for `visitor_id`, opening their entry with `segments`
    /// if they have none.
    pub fn push(
        &mut self,
        visitor_id: &str,
        event: TrackingEvent,
        segments: Option<Map<String, Value>>,
        batch_size: usize,
    ) -> AfterEnqueue {
        match self.items.iter_mut().find(|v| v.visitor_id == visitor_id) {
            Some(entry) => entry.events.push(event),
            None => self.items.push(VisitorEvents {
                visitor_id: visitor_id.to_owned(),
                events: vec![event],
                segments: convert_engine::mutant!(
                    "tracking.empty-segments",
                    segments.filter(|s| !s.is_empty()),
                    Some(segments.unwrap_or_default())
                ),
            }),
        }
        self.length += 1;
        let retry = match &mut self.retry_in {
            Some(n) => {
                *n = n.saturating_sub(1);
                *n == 0
            }
            None => false,
        };
        if self.length == 1 {
            AfterEnqueue::ArmTimer
        } else if convert_engine::mutant!(
            "tracking.size-release",
            self.length == batch_size,
            self.length >= batch_size
        ) || retry
        {
            AfterEnqueue::Release
        } else {
            AfterEnqueue::Nothing
        }
    }

    /// Drops the oldest events until at most `max_events` remain; returns
    /// them, grouped by visitor as they were queued.
    pub fn shed(&mut self, max_events: usize) -> Vec<VisitorEvents> {
        let mut dropped: Vec<VisitorEvents> = Vec::new();
        while self.length > max_events {
            let Some(first) = self.items.first_mut() else {
                break;
            };
            let excess = self.length - max_events;
            let n = excess.min(first.events.len());
            let events: Vec<TrackingEvent> = first.events.drain(..n).collect();
            match dropped.last_mut() {
                Some(last) if last.visitor_id == first.visitor_id => last.events.extend(events),
                _ => dropped.push(VisitorEvents {
                    visitor_id: first.visitor_id.clone(),
                    events,
                    segments: first.segments.clone(),
                }),
            }
            if first.events.is_empty() {
                self.items.remove(0);
            }
            self.length -= n;
        }
        dropped
    }

    /// Takes everything queued.
    pub fn take(&mut self) -> Vec<VisitorEvents> {
        self.length = 0;
        self.retry_in = None;
        std::mem::take(&mut self.items)
    }

    /// Puts a batch that failed to send back in front of what was queued
    /// since (a visitor in both keeps one entry, failed events first); then
    /// drops the oldest events beyond `max_events` and returns them. Until
    /// the next release, every `batch_size`-th enqueue asks for a retry (so a
    /// failing endpoint is tried no more often than a healthy one).
    pub fn restore_failed(
        &mut self,
        failed: Vec<VisitorEvents>,
        max_events: usize,
        batch_size: usize,
    ) -> Vec<VisitorEvents> {
        let newer = std::mem::take(&mut self.items);
        self.items = failed;
        for entry in newer {
            match self
                .items
                .iter_mut()
                .find(|v| v.visitor_id == entry.visitor_id)
            {
                Some(existing) => existing.events.extend(entry.events),
                None => self.items.push(entry),
            }
        }
        self.length = self.items.iter().map(|v| v.events.len()).sum();
        let dropped = self.shed(max_events);
        self.retry_in = Some(batch_size.max(1));
        dropped
    }
}

/// The batch body, in the JS SDK's key order: `{"enrichData": true,
/// "accountId", "projectId", "visitors": [{"visitorId", "events",
/// "segments"?}], "source"}`.
pub fn batch_body(
    account_id: &Value,
    project_id: &Value,
    visitors: &[VisitorEvents],
    source: &str,
) -> Value {
    let visitors: Vec<Value> = visitors
        .iter()
        .map(|v| {
            let mut entry = Map::new();
            entry.insert("visitorId".into(), Value::String(v.visitor_id.clone()));
            entry.insert(
                "events".into(),
                Value::Array(v.events.iter().map(TrackingEvent::to_json).collect()),
            );
            if let Some(segments) = &v.segments {
                entry.insert("segments".into(), Value::Object(segments.clone()));
            }
            Value::Object(entry)
        })
        .collect();
    json!({
        "enrichData": convert_engine::mutant!("tracking.enrich", true, false),
        "accountId": account_id,
        "projectId": project_id,
        "visitors": visitors,
        "source": source
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucketing(n: u32) -> TrackingEvent {
        TrackingEvent::Bucketing {
            experience_id: n.to_string(),
            variation_id: "1".into(),
        }
    }

    #[test]
    fn the_first_event_only_arms_the_timer() {
        let mut queue = TrackingQueue::default();
        assert_eq!(
            queue.push("a", bucketing(1), None, 1),
            AfterEnqueue::ArmTimer
        );
        assert_eq!(
            queue.push("a", bucketing(2), None, 1),
            AfterEnqueue::Nothing
        );
        let mut queue = TrackingQueue::default();
        assert_eq!(
            queue.push("a", bucketing(1), None, 2),
            AfterEnqueue::ArmTimer
        );
        assert_eq!(
            queue.push("b", bucketing(2), None, 2),
            AfterEnqueue::Release
        );
    }

    #[test]
    fn segments_are_frozen_when_the_entry_opens() {
        let mut queue = TrackingQueue::default();
        let us: Map<String, Value> = serde_json::from_str(r#"{"country":"US"}"#).unwrap();
        let fr: Map<String, Value> = serde_json::from_str(r#"{"country":"FR"}"#).unwrap();
        queue.push("a", bucketing(1), Some(us.clone()), 10);
        queue.push("a", bucketing(2), Some(fr), 10);
        let batch = queue.take();
        assert_eq!(batch[0].segments, Some(us));
        assert_eq!(batch[0].events.len(), 2);
        assert!(queue.is_empty());
    }

    #[test]
    fn a_failed_batch_goes_back_in_front_and_the_bound_drops_the_oldest() {
        let mut queue = TrackingQueue::default();
        queue.push("a", bucketing(1), None, 10);
        let failed = queue.take();
        queue.push("b", bucketing(2), None, 10);
        queue.push("a", bucketing(3), None, 10);
        let dropped = queue.restore_failed(failed, 2, 10);
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].visitor_id, "a");
        assert_eq!(dropped[0].events, vec![bucketing(1)]);
        let batch = queue.take();
        assert_eq!(batch.len(), 2);
        assert_eq!(batch[0].visitor_id, "a");
        assert_eq!(batch[0].events, vec![bucketing(3)]);
        assert_eq!(batch[1].events, vec![bucketing(2)]);
    }

    #[test]
    fn after_a_failure_every_batch_sized_enqueue_retries() {
        let mut queue = TrackingQueue::default();
        for n in 0..3 {
            queue.push("a", bucketing(n), None, 3);
        }
        let failed = queue.take();
        assert!(queue.restore_failed(failed, 100, 3).is_empty());
        // 3 back in the queue; the JS rule (count == 3) can no longer fire.
        assert_eq!(
            queue.push("b", bucketing(4), None, 3),
            AfterEnqueue::Nothing
        );
        assert_eq!(
            queue.push("b", bucketing(5), None, 3),
            AfterEnqueue::Nothing
        );
        assert_eq!(
            queue.push("b", bucketing(6), None, 3),
            AfterEnqueue::Release
        );
        assert_eq!(
            queue.take().iter().map(|v| v.events.len()).sum::<usize>(),
            6
        );
        // A release clears the retry: the JS rule alone applies again.
        queue.push("c", bucketing(7), None, 3);
        queue.push("c", bucketing(8), None, 3);
        assert_eq!(
            queue.push("c", bucketing(9), None, 3),
            AfterEnqueue::Release
        );
    }

    #[test]
    fn shedding_drops_the_oldest_and_returns_them() {
        let mut queue = TrackingQueue::default();
        for n in 0..5 {
            queue.push(if n < 3 { "a" } else { "b" }, bucketing(n), None, 100);
        }
        let dropped = queue.shed(1);
        assert_eq!(queue.len(), 1);
        assert_eq!(dropped.len(), 2);
        assert_eq!(dropped[0].events.len(), 3);
        assert_eq!(dropped[1].visitor_id, "b");
        assert_eq!(dropped[1].events, vec![bucketing(3)]);
        assert_eq!(queue.take()[0].events, vec![bucketing(4)]);
    }
}
