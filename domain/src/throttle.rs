//! Counting failed attempts per key (an account, an address) in a sliding
//! window, to slow down password guessing without locking anyone out for
//! long.

use std::collections::{HashMap, VecDeque};

/// How many failures a key may have within a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub max_failures: usize,
    pub window_ms: i64,
}

/// Failed logins per account: five in fifteen minutes.
pub const LOGIN_PER_ACCOUNT: Policy = Policy {
    max_failures: 5,
    window_ms: 15 * 60 * 1000,
};

/// Failed logins per network address: generous, because a whole office or
/// hotel may share one address; it stops a machine trying many accounts.
pub const LOGIN_PER_ADDRESS: Policy = Policy {
    max_failures: 30,
    window_ms: 15 * 60 * 1000,
};

/// Wrong join passcodes per session and network address: a room behind
/// one hotel router may mistype a few dozen times; a guesser gets 50 tries
/// per quarter hour, years for a six-character passcode.
pub const PASSCODE_PER_ADDRESS: Policy = Policy {
    max_failures: 50,
    window_ms: 15 * 60 * 1000,
};

/// Above this many keys, stale ones are swept out on the next failure, so
/// a flood of made-up keys cannot grow the table without bound.
const SWEEP_ABOVE: usize = 10_000;

/// Failure times per key.
#[derive(Debug)]
pub struct Throttle {
    policy: Policy,
    failures: HashMap<String, VecDeque<i64>>,
}

impl Throttle {
    pub fn new(policy: Policy) -> Throttle {
        Throttle {
            policy,
            failures: HashMap::new(),
        }
    }

    /// `Ok` when `key` may try now; otherwise the whole seconds until it
    /// may (at least 1).
    pub fn check(&mut self, key: &str, now_ms: i64) -> Result<(), u32> {
        let Some(times) = self.failures.get_mut(key) else {
            return Ok(());
        };
        forget_before(times, now_ms - self.policy.window_ms);
        if times.len() < self.policy.max_failures {
            return Ok(());
        }
        let oldest = times.front().copied().unwrap_or(now_ms);
        let wait_ms = (oldest + self.policy.window_ms - now_ms).max(0);
        Err(u32::try_from((wait_ms + 999) / 1000)
            .unwrap_or(u32::MAX)
            .max(1))
    }

    /// Records a failure of `key` at `now_ms`.
    pub fn fail(&mut self, key: &str, now_ms: i64) {
        if self.failures.len() > SWEEP_ABOVE {
            let since = now_ms - self.policy.window_ms;
            self.failures.retain(|_, times| {
                forget_before(times, since);
                !times.is_empty()
            });
        }
        let times = self.failures.entry(key.to_string()).or_default();
        times.push_back(now_ms);
        // Only the newest failures matter once the key is held back.
        while times.len() > self.policy.max_failures {
            times.pop_front();
        }
    }

    /// Forgets `key`'s failures (after it succeeded).
    pub fn clear(&mut self, key: &str) {
        self.failures.remove(key);
    }

    /// How many keys are tracked.
    pub fn len(&self) -> usize {
        self.failures.len()
    }

    pub fn is_empty(&self) -> bool {
        self.failures.is_empty()
    }
}

fn forget_before(times: &mut VecDeque<i64>, since: i64) {
    while times.front().is_some_and(|t| *t <= since) {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60 * 1000;

    #[test]
    fn the_sixth_try_within_the_window_waits_for_the_oldest_to_expire() {
        let mut t = Throttle::new(LOGIN_PER_ACCOUNT);
        for i in 0..5 {
            assert_eq!(t.check("a@x.go.id", i * MIN), Ok(()));
            t.fail("a@x.go.id", i * MIN);
        }
        // The first failure was at 0; it expires at 15 minutes.
        assert_eq!(t.check("a@x.go.id", 5 * MIN), Err(10 * 60));
        assert_eq!(t.check("a@x.go.id", 15 * MIN - 500), Err(1));
        assert_eq!(t.check("a@x.go.id", 15 * MIN), Ok(()));
        // Other keys are not affected.
        assert_eq!(t.check("b@x.go.id", 5 * MIN), Ok(()));
    }

    #[test]
    fn success_clears_and_old_failures_fade() {
        let mut t = Throttle::new(LOGIN_PER_ACCOUNT);
        for _ in 0..4 {
            t.fail("a", 0);
        }
        t.clear("a");
        t.fail("a", 0);
        assert_eq!(t.check("a", 0), Ok(()));
        // Failures spread over more than the window never add up.
        let mut t = Throttle::new(LOGIN_PER_ACCOUNT);
        for i in 0..50 {
            t.fail("a", i * 4 * MIN);
            assert_eq!(t.check("a", i * 4 * MIN), Ok(()), "at {i}");
        }
    }

    #[test]
    fn made_up_keys_do_not_grow_the_table_without_bound() {
        let mut t = Throttle::new(LOGIN_PER_ADDRESS);
        for i in 0..(SWEEP_ABOVE as i64 + 10) {
            t.fail(&format!("k{i}"), 0);
        }
        let full = t.len();
        // Once the window has passed, the next failure sweeps them all.
        t.fail("late", 16 * MIN);
        assert!(t.len() < full);
        assert_eq!(t.len(), 1);
    }
}
