//! What the strategies of one batch share. [`crate::Engine::run_batch`] steps several
//! strategies through the same days of the same panel, and a sweep's strategies often compute
//! the same thing: the same moving average of the same closes, the same oscillator. A
//! [`Shared`] store, one per batch and handed to every strategy in [`crate::Setup`], lets
//! them: the first strategy that asks for a key makes the value, every later one gets the
//! same `Arc`. A run alone gets a store of its own, so a strategy never needs to know whether
//! it is in a batch, and what it computes is the same either way.
//!
//! What is shared must keep the engine's guarantees: a shared indicator is advanced with the
//! [`crate::Context`] of the day (never from data beyond it), and gives each strategy exactly
//! what it would have computed alone (the strategies of a batch see the same days in the
//! same order, so state advanced once a day by whichever asks first serves them all).

use std::any::Any;
use std::sync::{Arc, Mutex, PoisonError};

/// Values shared by the strategies of one batch, by key (see the module documentation).
#[derive(Default)]
pub struct Shared {
    entries: Mutex<Vec<(String, Arc<dyn Any + Send + Sync>)>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("Shared")
            .field("keys", &entries.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())
            .finish()
    }
}

impl Shared {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value under `key`, made by `make` if no strategy of the batch made it yet. A key
    /// names one type: a value of another type under the same key is not shared (the caller
    /// gets a fresh one of its own).
    pub fn get_or_insert_with<T: Any + Send + Sync>(&self, key: &str, make: impl FnOnce() -> T) -> Arc<T> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        match entries.iter().find(|(k, _)| k == key) {
            Some((_, value)) => match Arc::clone(value).downcast::<T>() {
                Ok(shared) => shared,
                Err(_) => Arc::new(make()),
            },
            None => {
                let value = Arc::new(make());
                entries.push((key.to_string(), value.clone()));
                value
            }
        }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// True when nothing is shared yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_maker_wins_and_a_type_clash_is_not_shared() {
        let shared = Shared::new();
        let a = shared.get_or_insert_with("sums", || 1u32);
        let b = shared.get_or_insert_with("sums", || 2u32);
        assert!(Arc::ptr_eq(&a, &b) && *b == 1);
        let c = shared.get_or_insert_with("sums", || 3u64);
        assert_eq!(*c, 3);
        assert_eq!(shared.len(), 1);
    }
}
