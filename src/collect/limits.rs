//! Client-side per-operation rate limits (placeholder; implemented with the
//! scan orchestration).

/// Per-operation token buckets shared across regions.
#[derive(Debug, Default)]
pub struct RateLimits {}

impl RateLimits {
    /// Waits until a call of `operation` in `region` may be sent.
    pub async fn acquire(&self, _service: &str, _operation: &str, _region: &str) {}
}
