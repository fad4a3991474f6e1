//! The SDK's errors. None of them ever carries the SDK key or its secret.

/// Why the SDK could not do something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdkError {
    /// The config could not be fetched (network error or timeout).
    #[error("config fetch failed: {0}")]
    ConfigFetch(String),
    /// The config endpoint answered with an HTTP error status.
    #[error("config fetch failed with HTTP status {0}")]
    ConfigStatus(u16),
    /// The config is not valid JSON or breaks the config contract.
    #[error("the config is invalid: {0}")]
    ConfigInvalid(String),
    /// The config endpoint answered with an `error` object.
    #[error("the config endpoint answered with an error: {0}")]
    ConfigRejected(String),
    /// A tracking request failed; its events stay queued.
    #[error("tracking request failed: {0}")]
    Tracking(String),
    /// The queue overflowed; the oldest events were dropped.
    #[error("the tracking queue is full: {dropped} oldest event(s) dropped")]
    QueueOverflow {
        /// How many events were dropped.
        dropped: usize,
    },
    /// The SDK was closed.
    #[error("the SDK is closed")]
    Closed,
}

/// Replaces every occurrence of the secrets in `text` with `[redacted]`.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_owned(), |text, secret| {
            text.replace(secret, "[redacted]")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(
            redact("GET https://x/config/ABC/DEF failed", &["ABC/DEF", ""]),
            "GET https://x/config/[redacted] failed"
        );
    }
}
