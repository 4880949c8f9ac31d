//! How hard the engine leans on the service: full-jitter backoff per intent, and a
//! retry budget across intents, so that a struggling service is not hammered by a
//! queue that came back online all at once.

use std::time::Duration;

use rand::Rng;

/// The delay before retry number `attempt` (1 = first retry): full jitter.
pub fn full_jitter(base: Duration, cap: Duration, attempt: u32, rng: &mut impl Rng) -> Duration {
    let exp = base.as_millis().saturating_mul(1u128 << attempt.min(30)).min(cap.as_millis()) as u64;
    Duration::from_millis(if exp == 0 { 0 } else { rng.gen_range(0..exp) })
}

/// Token bucket that keeps a failing service from being hammered: first attempts
/// are free, retries spend a token.
pub(crate) struct RetryBudget {
    pub(crate) tokens: f64,
    pub(crate) burst: f64,
    pub(crate) per_sec: f64,
    pub(crate) last_ms: i64,
}

impl RetryBudget {
    fn refill(&mut self, now: i64) {
        let dt = (now - self.last_ms).max(0) as f64 / 1000.0;
        self.tokens = (self.tokens + dt * self.per_sec).min(self.burst);
        self.last_ms = now;
    }
    pub(crate) fn try_take(&mut self, now: i64) -> bool {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
    pub(crate) fn earn(&mut self) {
        self.tokens = (self.tokens + 1.0).min(self.burst);
    }
    pub(crate) fn ms_until_token(&self) -> i64 {
        (((1.0 - self.tokens).max(0.0) / self.per_sec.max(0.001)) * 1000.0).ceil() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn full_jitter_stays_under_the_growing_cap() {
        let mut rng = StdRng::seed_from_u64(7);
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(5);
        for attempt in 0..40 {
            let bound = (100u64 << attempt.min(30)).min(5000);
            for _ in 0..50 {
                assert!(full_jitter(base, cap, attempt, &mut rng).as_millis() < bound as u128);
            }
        }
    }

    #[test]
    fn full_jitter_replays_from_its_seed() {
        let draw = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (1..10)
                .map(|n| full_jitter(Duration::from_millis(50), Duration::from_secs(9), n, &mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(3), draw(3));
        assert_ne!(draw(3), draw(4));
    }

    #[test]
    fn the_retry_budget_refills_over_time_and_with_answers() {
        let mut b = RetryBudget { tokens: 2.0, burst: 2.0, per_sec: 1.0, last_ms: 0 };
        assert!(b.try_take(0) && b.try_take(0));
        assert!(!b.try_take(0), "a third retry in a burst of two");
        assert_eq!(b.ms_until_token(), 1000);
        assert!(b.try_take(1000));
        b.earn();
        assert!(b.try_take(1000));
    }
}
