//! Rate limits on writes: a token bucket per key (a participant, a
//! session). A person voting and writing by hand never meets them; a script
//! hammering the API from one phone does, without slowing anyone else.
//!
//! Limits are per participant token, not per network address: a whole
//! room behind one hotel router shares an address.

use std::collections::HashMap;

/// A bucket of `burst` writes that refills at `per_second`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    pub burst: u32,
    pub per_second: f64,
}

/// The write limits of one deployment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimits {
    /// Cards, dots and ratings of one participant.
    pub participant: Rate,
    /// All participants' writes in one session together: keeps one session
    /// from starving the others on a shared server.
    pub session: Rate,
    /// Live streams one participant may hold open at once (a few tabs).
    pub streams_per_participant: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            // A person taps a dot at most a few times a second; 60 in a
            // burst covers spending a whole budget and taking it back.
            participant: Rate {
                burst: 60,
                per_second: 5.0,
            },
            // Well above what a full hall does (the benchmark's 2,000
            // votes/s), so only a runaway session meets it.
            session: Rate {
                burst: 10_000,
                per_second: 5_000.0,
            },
            streams_per_participant: 4,
        }
    }
}

/// Above this many keys, full buckets are swept out on the next take, so a
/// flood of made-up keys cannot grow the table without bound.
const SWEEP_ABOVE: usize = 50_000;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at_ms: i64,
}

/// Token buckets per key.
#[derive(Debug)]
pub struct Buckets {
    rate: Rate,
    buckets: HashMap<String, Bucket>,
}

impl Buckets {
    pub fn new(rate: Rate) -> Buckets {
        Buckets {
            rate,
            buckets: HashMap::new(),
        }
    }

    /// Takes one write for `key` at `now_ms`: `Ok` when allowed, otherwise
    /// the whole seconds until the next write is (at least 1).
    pub fn take(&mut self, key: &str, now_ms: i64) -> Result<(), u32> {
        if self.buckets.len() > SWEEP_ABOVE {
            let rate = self.rate;
            self.buckets
                .retain(|_, b| refilled(rate, *b, now_ms) < f64::from(rate.burst));
        }
        let rate = self.rate;
        let bucket = self.buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: f64::from(rate.burst),
            at_ms: now_ms,
        });
        let tokens = refilled(rate, *bucket, now_ms);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at_ms: now_ms,
            };
            Ok(())
        } else {
            *bucket = Bucket {
                tokens,
                at_ms: now_ms,
            };
            let wait = if rate.per_second > 0.0 {
                ((1.0 - tokens) / rate.per_second).ceil()
            } else {
                f64::from(u32::MAX)
            };
            Err((wait as u32).max(1))
        }
    }

    /// How many keys are tracked.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }
}

fn refilled(rate: Rate, bucket: Bucket, now_ms: i64) -> f64 {
    let elapsed = (now_ms - bucket.at_ms).max(0) as f64 / 1000.0;
    (bucket.tokens + elapsed * rate.per_second).min(f64::from(rate.burst))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: Rate = Rate {
        burst: 3,
        per_second: 1.0,
    };

    #[test]
    fn a_burst_is_allowed_then_the_key_waits_for_the_refill() {
        let mut b = Buckets::new(RATE);
        for _ in 0..3 {
            assert_eq!(b.take("phone", 0), Ok(()));
        }
        assert_eq!(b.take("phone", 0), Err(1));
        assert_eq!(b.take("phone", 500), Err(1));
        assert_eq!(b.take("phone", 1000), Ok(()));
        assert_eq!(b.take("phone", 1000), Err(1));
    }

    #[test]
    fn keys_do_not_share_a_bucket() {
        let mut b = Buckets::new(RATE);
        for _ in 0..3 {
            b.take("a", 0).unwrap();
        }
        assert!(b.take("a", 0).is_err());
        assert_eq!(b.take("b", 0), Ok(()));
    }

    #[test]
    fn a_bucket_never_holds_more_than_its_burst() {
        let mut b = Buckets::new(RATE);
        b.take("a", 0).unwrap();
        // An hour idle refills to the burst, not to 3,600.
        for _ in 0..3 {
            b.take("a", 3_600_000).unwrap();
        }
        assert!(b.take("a", 3_600_000).is_err());
    }

    #[test]
    fn the_wait_is_whole_seconds_and_never_zero() {
        let slow = Rate {
            burst: 1,
            per_second: 0.1,
        };
        let mut b = Buckets::new(slow);
        b.take("a", 0).unwrap();
        assert_eq!(b.take("a", 0), Err(10));
        assert_eq!(b.take("a", 9_500), Err(1));
    }

    #[test]
    fn made_up_keys_cannot_grow_the_table_for_ever() {
        let mut b = Buckets::new(RATE);
        for i in 0..=SWEEP_ABOVE {
            b.take(&i.to_string(), 0).unwrap();
        }
        // Ten seconds later every bucket is full again and is swept.
        b.take("new", 10_000).unwrap();
        assert_eq!(b.len(), 1);
    }
}
