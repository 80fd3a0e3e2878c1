//! A token bucket: a sender sends at most `per_second` messages a second on average and
//! `burst` at once, so a runaway loop cannot flood the room (Agora caps data streams at 60
//! packets a second; the default here is 30).

use crate::time::{HostTime, TimeDelta};

/// The bucket.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    per_second: f64,
    burst: f64,
    tokens: f64,
    last: HostTime,
}

impl RateLimit {
    /// `per_second` on average (at least 1), `burst` at once (at least 1); full at `now`.
    pub fn new(per_second: f64, burst: u32, now: HostTime) -> Self {
        let burst = f64::from(burst.max(1));
        RateLimit {
            per_second: per_second.max(1.0),
            burst,
            tokens: burst,
            last: now,
        }
    }

    fn refill(&mut self, now: HostTime) {
        let elapsed = (now - self.last).as_secs_f64().max(0.0);
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
        // A clock that stepped back restarts the count from there rather than freezing it.
        self.last = now;
    }

    /// Takes a token if there is one.
    pub fn try_take(&mut self, now: HostTime) -> bool {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// When the next token will be there.
    pub fn next_token(&mut self, now: HostTime) -> HostTime {
        self.refill(now);
        if self.tokens >= 1.0 {
            now
        } else {
            // Rounded up: a token due in a fraction of a microsecond is not due now.
            let micros = ((1.0 - self.tokens) / self.per_second * 1e6)
                .ceil()
                .max(1.0);
            now + TimeDelta::from_micros(micros as i64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_the_rate_on_average_and_the_burst_at_once() {
        let start = HostTime::from_millis(1_000);
        let mut limit = RateLimit::new(30.0, 5, start);
        let at_once = (0..100).filter(|_| limit.try_take(start)).count();
        assert_eq!(at_once, 5);
        let mut sent = 0;
        let mut t = start;
        while t < start + TimeDelta::from_millis(10_000) {
            t += TimeDelta::from_millis(1);
            if limit.try_take(t) {
                sent += 1;
            }
        }
        assert!((299..=301).contains(&sent), "{sent} in 10 s");
        assert!(limit.next_token(t) > t);
    }
}
